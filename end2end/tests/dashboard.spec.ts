import { test, expect, waitForHydration, signUp, createRecord, createRecords } from "./fixtures";

type Page = import("@playwright/test").Page;

// The dashboard (issue 18): for a freshly signed-up organisation with seeded leads, projects and tasks, every
// figure on the home page is the API's count (and the list API's total for the same filter), and its link
// opens the report filtered to exactly those records.

interface StatusCount { key: string; label: string; category: string; count: number; sum?: string }
interface StatusCounts { entity: string; status_field: string; total: number; sum?: string; statuses: StatusCount[] }
interface Week { week_start: string; week_end: string; count: number }
interface MyTask { id: number; title: string; due_date: string | null; overdue: boolean }
interface Dashboard {
  today: string;
  entities: StatusCounts[];
  leads_per_week: Week[];
  my_tasks: { total: number; tasks: MyTask[] } | null;
  latest_changes: { id: number; entity: string; record_id: number; title: string | null }[];
}

const LEADS = ["new", "new", "new", "contacted", "contacted", "won"];

async function seed(page: Page) {
  await createRecords(page, "leads", LEADS.map((lead_status, i) => ({ company_name: `Lead ${i + 1}`, lead_status })));
  const client = await createRecord(page, "clients", { company_name: "Globex", client_status: "active" });
  const projects: [string, string][] = [["planning", "1000.00"], ["planning", "250.50"], ["active", "99.99"]];
  for (const [i, [project_status, budget]] of projects.entries()) {
    await createRecord(page, "projects", { project_name: `Project ${i + 1}`, client_id: client.id, project_status, budget });
  }
  const me = await (await page.request.get("/api/auth/me")).json();
  const overdue = await createRecord(page, "tasks", { title: "Send the overdue invoice", task_status: "todo", due_date: "2020-01-02", assigned_to: me.id });
  await createRecord(page, "tasks", { title: "Plan the launch", task_status: "in_progress", due_date: "2999-12-31", assigned_to: me.id });
  await createRecord(page, "tasks", { title: "Already done", task_status: "done", assigned_to: me.id });
  return { overdue };
}

async function dashboardApi(page: Page): Promise<Dashboard> {
  const response = await page.request.get("/api/dashboard");
  expect(response.status(), await response.text()).toBe(200);
  return response.json();
}

async function listTotal(page: Page, plural: string, query: string): Promise<number> {
  const response = await page.request.get(`/api/${plural}?${query}&page_size=1`);
  expect(response.status(), await response.text()).toBe(200);
  return (await response.json()).total;
}

function figuresOf(api: Dashboard, plural: string): StatusCounts {
  const figures = api.entities.find((e) => e.entity === plural);
  expect(figures, `figures for ${plural}`).toBeTruthy();
  return figures!;
}

const showing = (n: number) => `Showing 1–${n} of ${n}`;

test("the dashboard's figures are the API's counts and each opens its report", async ({ page }) => {
  test.setTimeout(60_000);
  await signUp(page);
  const { overdue } = await seed(page);
  const api = await dashboardApi(page);
  expect(api.entities.map((e) => e.entity)).toEqual(["leads", "clients", "projects", "tasks"]);

  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1, name: "Welcome to Keel" })).toBeVisible();

  // Records per status: every bar says the API's count, which is the list's total for that status.
  for (const figures of api.entities) {
    for (const status of figures.statuses) {
      const bar = page.getByTestId(`status-bar-${figures.entity}-${status.key}`);
      await expect(bar).toHaveAttribute("data-count", String(status.count));
      await expect(bar.locator(".bar-figure")).toHaveText(String(status.count));
      await expect(bar).toHaveAttribute("aria-label", new RegExp(`^${status.label}: ${status.count} `));
      expect(await listTotal(page, figures.entity, `${figures.status_field}=${status.key}`)).toBe(status.count);
    }
  }
  const leads = figuresOf(api, "leads");
  expect(leads.statuses.find((s) => s.key === "new")?.count).toBe(3);
  await expect(page.getByTestId("status-total-leads")).toHaveText(`${LEADS.length} leads`);

  // The project pipeline: budgets per status, as created.
  const sums: Record<string, string> = { planning: "1250.50", active: "99.99", on_hold: "0.00" };
  for (const [key, sum] of Object.entries(sums)) {
    expect(figuresOf(api, "projects").statuses.find((s) => s.key === key)?.sum).toBe(sum);
    await expect(page.getByTestId(`pipeline-bar-${key}`)).toHaveAttribute("data-sum", sum);
  }
  await expect(page.getByTestId("pipeline-bar-planning").locator(".bar-figure")).toHaveText("1,250.50");

  // Leads per week: all of them this week, the last of twelve bars.
  expect(api.leads_per_week).toHaveLength(12);
  const week = api.leads_per_week[11];
  expect(week.count).toBe(LEADS.length);
  await expect(page.locator(".week-bar")).toHaveCount(12);
  await expect(page.getByTestId(`week-bar-${week.week_start}`)).toHaveAttribute("data-count", String(LEADS.length));

  // My open tasks: two (the done one is not open), the overdue one first and marked.
  expect(api.my_tasks?.total).toBe(2);
  await expect(page.getByTestId("my-tasks-total")).toHaveAttribute("data-count", "2");
  const first = page.getByTestId(`my-task-${overdue.id}`);
  await expect(first).toHaveClass(/overdue/);
  await expect(first).toContainText("Overdue");
  await expect(page.locator(".task-item")).toHaveCount(2);
  await expect(page.locator(".task-item.overdue")).toHaveCount(1);

  // The latest changes link to their records.
  const latest = api.latest_changes[0];
  await expect(page.getByTestId(`change-${latest.id}`).getByRole("link", { name: latest.title! }))
    .toHaveAttribute("href", `/${latest.entity}/${latest.record_id}`);

  // A status bar opens the lead report filtered to that status, showing that count.
  await waitForHydration(page);
  await page.getByTestId("status-bar-leads-new").click();
  await expect(page).toHaveURL(/\/reports\/leads\?lead_status=new$/);
  await expect(page.locator(".report-summary")).toHaveText(showing(3));
  await expect(page.locator("tbody tr[data-id]")).toHaveCount(3);

  // Tasks have no report: their list, filtered the same way.
  await page.goto("/");
  await waitForHydration(page);
  await page.getByTestId("status-bar-tasks-todo").click();
  await expect(page).toHaveURL(/\/tasks\?task_status=todo$/);
  await expect(page.locator(".report-summary")).toHaveText(showing(1));

  // A week's bar opens the lead report for that week.
  await page.goto("/");
  await waitForHydration(page);
  await page.getByTestId(`week-bar-${week.week_start}`).click();
  await expect(page).toHaveURL(new RegExp(`/reports/leads\\?created_after=${week.week_start}&created_before=${week.week_end}$`));
  await expect(page.locator(".report-summary")).toHaveText(showing(LEADS.length));

  // A pipeline bar opens the projects in that status; a task opens its page.
  await page.goto("/");
  await waitForHydration(page);
  await page.getByTestId("pipeline-bar-planning").click();
  await expect(page).toHaveURL(/\/reports\/projects\?project_status=planning$/);
  await expect(page.locator(".report-summary")).toHaveText(showing(2));
  await page.goto("/");
  await waitForHydration(page);
  await first.getByRole("link", { name: "Send the overdue invoice" }).click();
  await expect(page).toHaveURL(new RegExp(`/tasks/${overdue.id}$`));
  await expect(page.getByRole("heading", { level: 1, name: "Send the overdue invoice" })).toBeVisible();
});

test("a module switched off leaves the dashboard", async ({ page }) => {
  await signUp(page);
  await createRecord(page, "leads", { company_name: "Only leads" });
  const config = await (await page.request.get("/api/admin/backend-config")).json();
  config.features.tasks = false;
  config.features.projects = false;
  expect((await page.request.put("/api/admin/backend-config", { data: config })).status()).toBe(200);
  await page.goto("/");
  await expect(page.getByTestId("status-chart-leads")).toBeVisible();
  await expect(page.getByTestId("status-chart-tasks")).toHaveCount(0);
  await expect(page.getByTestId("status-chart-projects")).toHaveCount(0);
  await expect(page.getByTestId("pipeline-chart")).toHaveCount(0);
  await expect(page.getByTestId("my-tasks")).toHaveCount(0);
  await expect(page.getByTestId("status-bar-leads-new")).toHaveAttribute("data-count", "1");
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the server's page has the figures and their links", async ({ page }) => {
    await signUp(page);
    await createRecords(page, "leads", [{ company_name: "A", lead_status: "contacted" }, { company_name: "B", lead_status: "contacted" }]);
    await page.goto("/");
    const bar = page.getByTestId("status-bar-leads-contacted");
    await expect(bar).toHaveAttribute("data-count", "2");
    await bar.click();
    await expect(page).toHaveURL(/\/reports\/leads\?lead_status=contacted$/);
    await expect(page.locator(".report-summary")).toHaveText(showing(2));
  });
});
