import { test, expect, waitForHydration, signUp, createRecord, PASSWORD } from "./fixtures";

type Page = import("@playwright/test").Page;

/** Saves the page's configuration: the preview's summary first, then Confirm. */
async function reviewAndSave(page: Page, summary: RegExp, { reloads = false } = {}) {
  await page.getByRole("button", { name: "Review and save" }).click();
  await expect(page.locator(".save-summary")).toHaveText(summary);
  const saved = page.waitForResponse((r) => r.url().endsWith("/api/admin/backend-config") && r.request().method() === "PUT");
  await page.getByRole("button", { name: "Confirm and save" }).click();
  expect((await saved).status()).toBe(200);
  if (reloads) {
    // A module switched on or off: the page loads again, with the navigation to match.
    await page.waitForLoadState("load");
    await waitForHydration(page);
  } else {
    await expect(page.getByTestId("save-bar").getByRole("status")).toContainText("Saved");
  }
}

async function openConfig(page: Page) {
  await page.goto("/admin/backend-config");
  await waitForHydration(page);
  await expect(page.getByTestId("backend-config")).toBeVisible();
}

async function statusOptions(page: Page): Promise<string[]> {
  await page.goto("/leads/new");
  await waitForHydration(page);
  return page.getByLabel("Status").locator("option").allTextContents();
}

test("custom statuses end to end (plan checklist 4.7)", async ({ page }) => {
  await signUp(page);
  const leads = page.locator('[data-statuses="lead"]');

  // 1. The page loads with the defaults, not editable.
  await openConfig(page);
  await expect(page.getByTestId("backend-type")).toContainText("Default");
  await expect(leads.locator("li.status-row")).toHaveCount(7);
  await expect(leads.locator('li[data-key="new"]')).toContainText("New");
  await expect(leads.getByRole("button", { name: "Add lead status" })).toHaveCount(0);

  // 2. Switch to custom.
  await page.getByRole("button", { name: "Switch to custom" }).click();
  await expect(page.getByTestId("backend-type")).toContainText("Custom");
  await reviewAndSave(page, /switches to the custom backend/);

  // 3. Add under_review: the key is checked as it is typed; listed, then saved.
  const key = leads.getByLabel("Key");
  await key.fill("Under Review");
  await expect(leads.locator(".add-status-errors")).toContainText("lowercase letters, digits and underscores");
  await key.fill("new");
  await expect(leads.locator(".add-status-errors")).toContainText("already listed");
  await key.fill("under_review");
  await expect(leads.locator(".add-status-errors")).toHaveText("");
  await leads.getByRole("button", { name: "Add lead status" }).click();
  const row = leads.locator('li[data-key="under_review"]');
  await expect(row.getByLabel("Label of under_review")).toHaveValue("Under review");
  // Reordered with the buttons: up one place.
  await row.getByRole("button", { name: "Move under_review up" }).click();
  await expect(leads.locator("li.status-row").nth(6)).toHaveAttribute("data-key", "under_review");
  await reviewAndSave(page, /adds 1 status/);
  await openConfig(page);
  await expect(leads.locator('li[data-key="under_review"]')).toBeVisible();

  // 4. The lead form offers it; a lead is created with it.
  expect(await statusOptions(page)).toContain("Under review");
  await page.getByLabel("Company name").fill("Review Corp");
  await page.getByLabel("Status").selectOption({ label: "Under review" });
  await page.getByRole("button", { name: "Create lead" }).click();
  await expect(page).toHaveURL(/\/leads\/\d+$/);
  await expect(page.locator('[data-field="lead_status"] dd')).toHaveText("Under review");
  const leadId = Number(page.url().split("/").pop());

  // 5. The API refuses an unknown status and accepts the custom one.
  const unknown = await page.request.post("/api/leads", { data: { company_name: "Bogus Ltd", lead_status: "bogus" } });
  expect(unknown.status()).toBe(400);
  const second = await createRecord(page, "leads", { company_name: "Second Corp", lead_status: "under_review" });
  expect(second.lead_status).toBe("under_review");

  // 6. Remove it, moving its leads: the preview counts them and the save moves them.
  await openConfig(page);
  await leads.getByRole("button", { name: "Remove under_review" }).click();
  const removed = leads.locator('[data-removed="under_review"]');
  await expect(removed).toContainText("2 leads use Under review — move them to:");
  await removed.getByRole("combobox").selectOption({ label: "Qualified" });
  await reviewAndSave(page, /moves 2 leads/);

  expect(await statusOptions(page)).not.toContain("Under review");
  const refused = await page.request.post("/api/leads", { data: { company_name: "Late Corp", lead_status: "under_review" } });
  expect(refused.status()).toBe(400);
  for (const id of [leadId, second.id]) {
    const lead = await (await page.request.get(`/api/leads/${id}`)).json();
    expect(lead.lead_status).toBe("qualified");
  }
});

test("a rule shows in the lead form as typed, with the server's message", async ({ page }) => {
  await signUp(page);
  await openConfig(page);
  const rules = page.locator('[data-validation="lead"]');
  await rules.locator('input[data-required="phone"]').check();
  // An impossible limit is marked where it is typed, with the server's words.
  const limit = page.locator('[data-rule="max_chars.notes"]');
  await limit.getByRole("textbox").fill("0");
  await expect(limit.locator(".field-error")).toContainText("must be a whole number from 1 to");
  await limit.getByRole("textbox").fill("");
  await reviewAndSave(page, /changes validation rules/);

  await page.goto("/leads/new");
  await waitForHydration(page);
  await expect(page.locator('[data-field="phone"] label')).toContainText("*");
  await page.getByLabel("Company name").fill("Rules Inc");
  await page.getByLabel("Phone").fill("");
  await page.getByLabel("Phone").blur();
  const message = page.locator('[data-field="phone"] .field-error');
  await expect(message).toHaveText("Phone is required");

  // The server answers the same words.
  const response = await page.request.post("/api/leads", { data: { company_name: "Rules Inc" } });
  expect(response.status()).toBe(400);
  const body = await response.json();
  expect(body.details).toContainEqual(expect.objectContaining({ field: "phone", message: "Phone is required" }));
});

test("the backend configuration is for administrators only", async ({ page, browser }) => {
  await signUp(page);
  await openConfig(page);
  await expect(page.getByRole("navigation", { name: "Primary" }).getByRole("link", { name: "Backend configuration" })).toBeVisible();

  const member = { name: "Mo Member", email: `mo-${Date.now()}-${Math.random().toString(36).slice(2, 6)}@member.test`, password: PASSWORD, role: "member" };
  expect((await page.request.post("/api/users", { data: member })).status()).toBe(201);
  const context = await browser.newContext();
  const other = await context.newPage();
  expect((await other.request.post("/api/auth/login", { data: { email: member.email, password: member.password } })).status()).toBe(200);
  const response = await other.goto("/admin/backend-config");
  expect(response?.status()).toBe(403);
  await expect(other.getByTestId("admins-only")).toBeVisible();
  await expect(other.getByRole("button", { name: "Review and save" })).toHaveCount(0);
  await expect(other.getByRole("navigation", { name: "Primary" }).getByRole("link", { name: "Backend configuration" })).toHaveCount(0);
  expect((await other.request.get("/api/admin/backend-config")).status()).toBe(403);
  await context.close();
});

test("a module switched off leaves the navigation and the search", async ({ page }) => {
  await signUp(page);
  await createRecord(page, "leads", { company_name: "Hidden Tasks Ltd" });
  await openConfig(page);
  await page.locator('input[name="tasks"]').uncheck();
  await reviewAndSave(page, /switches tasks off/, { reloads: true });
  const nav = page.getByRole("navigation", { name: "Primary" });
  await page.goto("/");
  await waitForHydration(page);
  await expect(nav.getByRole("link", { name: "Leads", exact: true })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Tasks", exact: true })).toHaveCount(0);
  await page.goto("/search?q=Hidden");
  await waitForHydration(page);
  await expect(page.locator('[data-results="leads"]')).toBeVisible();
  await expect(page.locator('[data-results="tasks"]')).toHaveCount(0);
  expect((await page.request.get("/api/tasks")).status()).toBe(404);
});

test("someone else's save in between is explained and nothing typed is lost", async ({ page }) => {
  await signUp(page);
  await openConfig(page);
  await page.getByRole("button", { name: "Switch to custom" }).click();

  // Another administrator saves first.
  const theirs = await (await page.request.get("/api/admin/backend-config")).json();
  theirs.features.accounts = false;
  expect((await page.request.put("/api/admin/backend-config", { data: theirs })).status()).toBe(200);

  await page.getByRole("button", { name: "Review and save" }).click();
  const notice = page.getByTestId("save-bar").getByRole("status");
  await expect(notice).toContainText("Someone else saved");
  await expect(page.getByTestId("backend-type")).toContainText("Custom");
  await page.getByRole("button", { name: "Keep mine and review again" }).click();
  await expect(notice).toContainText("latest version");
  await expect(page.getByTestId("backend-type")).toContainText("Custom");
  await reviewAndSave(page, /switches to the custom backend/, { reloads: true });
  const saved = await (await page.request.get("/api/admin/backend-config")).json();
  expect(saved.backend_type).toBe("custom");
});

test("statuses are reordered with Move up / Move down and the new order is saved", async ({ page }) => {
  await signUp(page);
  await openConfig(page);
  await page.getByRole("button", { name: "Switch to custom" }).click();
  const rows = page.locator('[data-statuses="lead"] li.status-row');
  await page.getByRole("button", { name: "Move lost up" }).click();
  await page.getByRole("button", { name: "Move lost up" }).click();
  await expect(rows.nth(4)).toHaveAttribute("data-key", "lost");
  await page.getByRole("button", { name: "Move lost down" }).click();
  await expect(rows.nth(5)).toHaveAttribute("data-key", "lost");
  await reviewAndSave(page, /reorders statuses/);
  await openConfig(page);
  await expect(rows.nth(5)).toHaveAttribute("data-key", "lost");
});
