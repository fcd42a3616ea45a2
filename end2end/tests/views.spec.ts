import { test, expect, waitForHydration, signUp, createRecord, createRecords, pad, allowConsoleErrors, saveViewFromPage } from "./fixtures";

type Page = import("@playwright/test").Page;

// Saved views (issue 16): Save view, the views menu, pinned views in the navigation, Update view, the column
// chooser and the default view. Every test has its own organisation (signUp), so views never meet.

const STATUSES = ["new", "contacted", "won"];
const LEADS = 15;

async function seedLeads(page: Page) {
  await createRecords(page, "leads", Array.from({ length: LEADS }, (_, i) => ({
    company_name: `Lead ${pad(i + 1)}`, contact_name: `Contact ${pad(i + 1)}`, email: `lead${i}@example.test`,
    lead_status: STATUSES[i % 3],
  })));
}

interface View { id: number; name: string; query: string; columns: string[]; is_default: boolean }

async function viewNamed(page: Page, name: string): Promise<View> {
  const response = await page.request.get("/api/views?entity=leads");
  expect(response.status()).toBe(200);
  const view = ((await response.json()).data as View[]).find((v) => v.name === name);
  expect(view, `a view named ${name}`).toBeTruthy();
  return view!;
}

async function rowIds(page: Page): Promise<string[]> {
  return page.locator("tbody tr[data-id]").evaluateAll((rows) => rows.map((row) => row.getAttribute("data-id") ?? ""));
}

async function apiIds(page: Page, query: string): Promise<string[]> {
  const response = await page.request.get(`/api/leads?${query}`);
  expect(response.status(), await response.text()).toBe(200);
  return ((await response.json()).data as { id: number }[]).map((row) => String(row.id));
}

async function headers(page: Page): Promise<string[]> {
  return page.locator("thead th[data-column]").evaluateAll((cells) => cells.map((cell) => cell.getAttribute("data-column") ?? ""));
}

const wonCount = Math.floor(LEADS / 3);

test("a filtered, sorted report saved as a pinned, shared view opens again from the navigation", async ({ page }) => {
  test.setTimeout(60_000);
  await signUp(page);
  await seedLeads(page);
  await page.goto("/reports/leads");
  await waitForHydration(page);
  const summary = page.locator(".report-summary");
  await expect(summary).toHaveText(`Showing 1–${LEADS} of ${LEADS}`);

  // Filter (status: Won) and sort (company name, descending).
  const status = page.locator(".multi-select").filter({ hasText: "Status:" });
  await status.locator("summary").click();
  await status.getByLabel("Won", { exact: true }).check();
  await page.keyboard.press("Escape");
  await expect(summary).toHaveText(`Showing 1–${wonCount} of ${wonCount}`);
  const sort = page.locator('th[data-sort-key="company_name"]').getByRole("link");
  await sort.click();
  await expect(page.locator('th[data-sort-key="company_name"]')).toHaveAttribute("aria-sort", "ascending");
  await sort.click();
  await expect(page.locator('th[data-sort-key="company_name"]')).toHaveAttribute("aria-sort", "descending");
  const shown = await rowIds(page);
  expect(shown).toHaveLength(wonCount);

  // Save view…: name, shared, pinned.
  await saveViewFromPage(page, "Hot leads", { shared: true, pinned: true });
  await expect(page.getByRole("status").filter({ hasText: "Saved “Hot leads”" })).toBeVisible();

  const saved = await viewNamed(page, "Hot leads");
  expect(saved.query).toBe("lead_status=won&sort_by=company_name&sort_order=desc");
  await expect(page).toHaveURL(new RegExp(`[?&]view=${saved.id}$`));
  await expect(page.locator("#view-select")).toHaveValue(String(saved.id));
  // Nothing differs from the view just saved.
  await expect(page.getByRole("button", { name: "Update view" })).toHaveCount(0);

  const nav = page.getByRole("navigation", { name: "Primary" });
  const pinned = nav.getByRole("link", { name: "Hot leads" });
  await expect(pinned).toBeVisible();
  await expect(pinned).toHaveAttribute("aria-current", "page");
  await page.reload();
  await waitForHydration(page);
  await expect(pinned).toBeVisible();

  // From another page, the pinned link opens the view: the same rows as the API's list for its query.
  await nav.getByRole("link", { name: "Clients", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Clients" })).toBeVisible();
  await expect(pinned).not.toHaveAttribute("aria-current", "page");
  await pinned.click();
  await expect(page).toHaveURL(new RegExp(`/leads\\?.*view=${saved.id}`));
  await expect(page.locator("tbody tr[data-id]")).toHaveCount(wonCount);
  const expected = await apiIds(page, saved.query);
  expect(await rowIds(page)).toEqual(expected);
  expect(expected).toEqual(shown);
  await expect(page.getByLabel("View", { exact: true })).toHaveValue(String(saved.id));
  await expect(status.locator("summary")).toHaveText("Status: Won");
});

test("the column chooser hides and reorders columns, and Update view keeps them in the view", async ({ page, consoleErrors }) => {
  test.setTimeout(60_000);
  await signUp(page);
  await seedLeads(page);
  const created = await page.request.post("/api/views", { data: { entity: "leads", name: "Pipeline", query: "lead_status=new" } });
  expect(created.status()).toBe(201);
  const view = (await created.json()) as View;

  await page.goto("/leads");
  await waitForHydration(page);
  // The views menu opens the view.
  await page.locator("#view-select").selectOption(String(view.id));
  await expect(page).toHaveURL(new RegExp(`/leads\\?lead_status=new&view=${view.id}$`));
  await expect(page.locator("tbody tr[data-id]")).toHaveCount(Math.ceil(LEADS / 3));
  const all = await headers(page);
  expect(all).toEqual(view.columns);
  await expect(page.getByRole("button", { name: "Update view" })).toHaveCount(0);

  // Hide Email, move Status up past Phone.
  await page.getByRole("button", { name: "Columns" }).click();
  const chooser = page.getByRole("group", { name: "Columns" });
  await chooser.getByRole("checkbox", { name: "Email" }).uncheck();
  await expect.poll(() => headers(page)).toEqual(all.filter((c) => c !== "email"));
  await chooser.getByRole("button", { name: "Move Status up" }).click();
  const expected = ["id", "company_name", "contact_name", "lead_status", "phone", "assigned_to_name", "created_at"];
  await expect.poll(() => headers(page)).toEqual(expected);
  await expect(page).toHaveURL(/columns=id,company_name,contact_name,lead_status,phone,assigned_to_name,created_at/);
  // The cells follow the headers.
  const firstRow = page.locator("tbody tr").first().locator("td[data-column]");
  await expect(firstRow).toHaveCount(expected.length);
  expect(await firstRow.evaluateAll((cells) => cells.map((c) => c.getAttribute("data-column")))).toEqual(expected);
  // A hidden column cannot move.
  await expect(chooser.getByRole("button", { name: "Move Email up" })).toBeDisabled();
  await chooser.getByRole("button", { name: "Done" }).click();
  await expect(chooser).toBeHidden();

  // The page now differs from the view: Update view saves it.
  const update = page.getByRole("button", { name: "Update view" });
  await expect(update).toBeVisible();
  await update.click();
  await expect(page.getByRole("status").filter({ hasText: "Updated “Pipeline”" })).toBeVisible();
  await expect(update).toHaveCount(0);
  expect((await viewNamed(page, "Pipeline")).columns).toEqual(expected);

  // Opened afresh (plain report, then the view from the menu), the view keeps its columns.
  await page.goto("/leads");
  await waitForHydration(page);
  expect(await headers(page)).toEqual(all);
  await page.locator("#view-select").selectOption(String(view.id));
  await expect.poll(() => headers(page)).toEqual(expected);
  await page.reload();
  await waitForHydration(page);
  expect(await headers(page)).toEqual(expected);
  await expect(page.getByRole("button", { name: "Update view" })).toHaveCount(0);

  // Someone changes the view meanwhile: Update view says so and offers to reload it.
  const patched = await page.request.patch(`/api/views/${view.id}`, { data: { query: "lead_status=won" } });
  expect(patched.status()).toBe(200);
  await page.getByRole("button", { name: "Columns" }).click();
  await chooser.getByRole("checkbox", { name: "Email" }).check();
  await update.click();
  const conflict = page.getByRole("alert").filter({ hasText: "Someone changed this view" });
  await expect(conflict).toBeVisible();
  await allowConsoleErrors(consoleErrors, /status of 409 .*\/api\/views\/\d+\]/);
  await conflict.getByRole("button", { name: "Reload view" }).click();
  await expect(page).toHaveURL(new RegExp(`/leads\\?lead_status=won&columns=[^&]+&view=${view.id}$`));
  await expect(conflict).toBeHidden();
  await expect(page.locator("tbody tr[data-id]")).toHaveCount(wonCount);
  await expect.poll(() => headers(page)).toEqual(expected);
});

test("a default view opens with the plain report until it is cleared, and a view can be deleted", async ({ page }) => {
  test.setTimeout(60_000);
  await signUp(page);
  await seedLeads(page);
  const created = await page.request.post("/api/views", {
    data: { entity: "leads", name: "Won only", query: "lead_status=won&sort_by=company_name&sort_order=asc", columns: ["company_name", "lead_status"] },
  });
  expect(created.status()).toBe(201);
  const view = (await created.json()) as View;

  await page.goto(`/leads?lead_status=won&sort_by=company_name&sort_order=asc&columns=company_name,lead_status&view=${view.id}`);
  await waitForHydration(page);
  await page.getByRole("button", { name: "Set as default" }).click();
  await expect(page.getByRole("button", { name: "Default ✓" })).toHaveAttribute("aria-pressed", "true");
  expect((await viewNamed(page, "Won only")).is_default).toBe(true);

  // The plain report now opens with the view: its filter, order and columns, then its URL.
  const expected = await apiIds(page, view.query);
  await page.goto("/leads");
  await expect(page).toHaveURL(new RegExp(`/leads\\?lead_status=won&sort_by=company_name&sort_order=asc&columns=company_name,lead_status&view=${view.id}$`));
  await waitForHydration(page);
  expect(await rowIds(page)).toEqual(expected);
  expect(await headers(page)).toEqual(["company_name", "lead_status"]);
  await expect(page.locator(".multi-select").filter({ hasText: "Status:" }).locator("summary")).toHaveText("Status: Won");
  // Even the server's HTML already has the view's rows (no flash of the plain report).
  const html = await (await page.request.get("/leads")).text();
  const unwon = await apiIds(page, "lead_status=new");
  expect(html).toContain(`data-id="${expected[0]}"`);
  expect(html).not.toContain(`data-id="${unwon[0]}"`);

  // "All leads" is the plain report, on purpose.
  await page.locator("#view-select").selectOption("");
  await expect(page).toHaveURL(/\/leads\?view=none$/);
  await expect(page.locator("tbody tr[data-id]")).toHaveCount(LEADS);

  // Cleared, the plain report stays plain.
  await page.locator("#view-select").selectOption(String(view.id));
  await page.getByRole("button", { name: "Default ✓" }).click();
  await expect(page.getByRole("button", { name: "Set as default" })).toBeVisible();
  await page.goto("/leads");
  await waitForHydration(page);
  await expect(page.locator("tbody tr[data-id]")).toHaveCount(LEADS);
  await expect(page).toHaveURL(/\/leads$/);

  // Delete view asks first; the view leaves the menu, the rows stay.
  await page.locator("#view-select").selectOption(String(view.id));
  await page.getByRole("button", { name: "Delete view" }).click();
  const confirm = page.getByRole("alertdialog", { name: "Delete this view?" });
  await expect(confirm).toContainText("“Won only” is deleted");
  await confirm.getByRole("button", { name: "Delete", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "Deleted “Won only”" })).toBeVisible();
  await expect(page.locator(`#view-select option[value="${view.id}"]`)).toHaveCount(0);
  await expect(page).not.toHaveURL(/view=\d/);
  await expect(page.locator("tbody tr[data-id]")).toHaveCount(wonCount);
});

test("a name already used is refused next to the Name field", async ({ page, consoleErrors }) => {
  await signUp(page);
  await createRecord(page, "leads", { company_name: "Only lead" });
  const created = await page.request.post("/api/views", { data: { entity: "leads", name: "Mine" } });
  expect(created.status()).toBe(201);

  await page.goto("/leads?company_name=only");
  await waitForHydration(page);
  await page.getByRole("button", { name: "Save view…" }).click();
  const form = page.locator("#save-view-form");
  const name = form.getByLabel("Name");
  await expect(name).toBeFocused();
  // Checked in the browser first: a name is required.
  await form.getByRole("button", { name: "Save", exact: true }).click();
  await expect(form.locator("#field-view-name-error")).toHaveText("Give the view a name");
  // The server's 409: names are unique per user and report, ignoring case.
  await name.fill("MINE");
  await form.getByRole("button", { name: "Save", exact: true }).click();
  await expect(form.locator("#field-view-name-error")).toHaveText("You already have a view of this report with that name");
  await expect(name).toHaveAttribute("aria-invalid", "true");
  // Chromium logs the refused request itself.
  await allowConsoleErrors(consoleErrors, /409/);
  await expect(page).not.toHaveURL(/view=/);
  // Another name saves.
  await name.fill("Only");
  await form.getByRole("button", { name: "Save", exact: true }).click();
  await expect(form).toBeHidden();
  await expect(page).toHaveURL(/\/leads\?company_name=only&view=\d+$/);
});
