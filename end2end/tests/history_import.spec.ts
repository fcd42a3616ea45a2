import { test, expect, waitForHydration, signUp, createRecord, allowConsoleErrors } from "./fixtures";

// History and import (issue 17): edits in the form show up in the record's History tab, readable, and the
// first of two is reverted there; a CSV file with an error is refused whole, fixed, imported and undone.

async function editLead(page: import("@playwright/test").Page, id: number, fill: () => Promise<void>) {
  await page.goto(`/leads/${id}/edit`);
  await waitForHydration(page);
  await fill();
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page).toHaveURL(new RegExp(`/leads/${id}$`));
}

test("a lead edited twice shows both changes in History, and the first is reverted", async ({ page, consoleErrors }) => {
  const account = await signUp(page);
  const lead = await createRecord(page, "leads", { company_name: "Northwind", contact_name: "Alice", lead_status: "new" });
  await editLead(page, lead.id, () => page.getByLabel("Contact name").fill("Bob"));
  await editLead(page, lead.id, () => page.getByLabel("Status").selectOption({ label: "Qualified" }));

  await waitForHydration(page);
  await page.getByRole("tab", { name: "History" }).click();
  const entries = page.locator(".history-entry");
  await expect(entries).toHaveCount(3);
  // Newest first, with labels, not keys: the status change, the contact change, the creation.
  await expect(entries.nth(0)).toHaveAttribute("data-action", "update");
  await expect(entries.nth(0).locator('tr[data-field="lead_status"] .old-value')).toHaveText("New");
  await expect(entries.nth(0).locator('tr[data-field="lead_status"] .new-value')).toHaveText("Qualified");
  await expect(entries.nth(0).locator("th[scope=row]")).toHaveText(["Status"]);
  const first = entries.nth(1);
  await expect(first.locator('tr[data-field="contact_name"] .old-value')).toHaveText("Alice");
  await expect(first.locator('tr[data-field="contact_name"] .new-value')).toHaveText("Bob");
  await expect(first.locator(".history-meta")).toContainText(account.name);
  await expect(entries.nth(2)).toHaveAttribute("data-action", "create");

  // Revert asks first; then the contact is Alice again and the status stays Qualified.
  await first.getByRole("button", { name: "Revert" }).click();
  await first.getByRole("button", { name: "Revert change" }).click();
  await expect(entries).toHaveCount(4);
  await expect(entries.nth(0)).toHaveAttribute("data-action", "revert");
  await expect(entries.nth(0).locator('tr[data-field="contact_name"] .new-value')).toHaveText("Alice");
  await page.getByRole("tab", { name: "Details" }).click();
  await expect(page.locator('[data-field="contact_name"] dd')).toHaveText("Alice");
  await expect(page.locator('[data-field="lead_status"] dd')).toHaveText("Qualified");

  // Reverting the first change again conflicts: its field no longer holds its value; nothing changes.
  await page.reload();
  await waitForHydration(page);
  await page.getByRole("tab", { name: "History" }).click();
  const creation = page.locator('.history-entry[data-action="create"]');
  await creation.getByRole("button", { name: "Revert" }).click();
  await creation.getByRole("button", { name: "Revert change" }).click();
  await expect(creation.getByRole("alert")).toContainText("Status");
  await allowConsoleErrors(consoleErrors, /status of 409 .*\/revert\]/);
});

test("an import with an error is refused whole, fixed, imported and undone", async ({ page }) => {
  await signUp(page);
  await createRecord(page, "clients", { company_name: "Globex" });
  await page.goto("/projects");
  await waitForHydration(page);
  await page.getByTestId("import-csv").click();
  await expect(page).toHaveURL(/\/projects\/import$/);
  await waitForHydration(page);

  const broken = "Project name;Client;Budget;Status\nAlpha;Globex;1200;Planning\nBeta;Nobody Ltd;oops;Active\n";
  await page.getByTestId("import-file").setInputFiles({ name: "projects.csv", mimeType: "text/csv", buffer: Buffer.from(broken) });
  await expect(page.getByTestId("import-summary")).toHaveText("2 rows · 1 ready · 2 errors");
  const errors = page.getByTestId("import-errors").locator("tbody tr");
  await expect(errors).toHaveCount(2);
  await expect(errors.nth(0)).toContainText("Client");
  await expect(errors.nth(1)).toContainText("Budget");
  await expect(page.getByRole("button", { name: /^Import \d+ projects$/ })).toBeDisabled();
  await expect(page.getByRole("link", { name: "Download all errors (CSV)" })).toHaveAttribute("href", /^data:text\/csv/);

  // The fixed file: every row ready; Import writes both.
  const fixed = "Project name;Client;Budget;Status\nAlpha;Globex;1200;Planning\nBeta;globex;900.5;Active\n";
  await page.getByTestId("import-file").setInputFiles({ name: "projects.csv", mimeType: "text/csv", buffer: Buffer.from(fixed) });
  await expect(page.getByTestId("import-summary")).toHaveText("2 rows · 2 ready · 0 errors");
  await page.getByRole("button", { name: "Import 2 projects" }).click();
  await expect(page.getByText("Imported 2 projects.")).toBeVisible();
  const listed = await page.request.get("/api/projects?sort_by=project_name&sort_order=asc");
  const rows = (await listed.json()).data;
  expect(rows.map((r: { project_name: string; client_name: string; budget: string }) => [r.project_name, r.client_name, r.budget]))
    .toEqual([["Alpha", "Globex", "1200.00"], ["Beta", "Globex", "900.50"]]);

  // Undo: both go to the trash.
  await page.getByRole("button", { name: "Undo import" }).click();
  await expect(page.getByText("Import undone: 2 records moved to Trash.")).toBeVisible();
  const after = await page.request.get("/api/projects");
  expect((await after.json()).total).toBe(0);
});

test("the audit log lists changes for administrators, filtered, with its CSV", async ({ page }) => {
  await signUp(page);
  const lead = await createRecord(page, "leads", { company_name: "Initech" });
  await page.request.patch(`/api/leads/${lead.id}`, { data: { version: 1, source: "Fair" } });
  await page.goto("/admin/audit?entity=leads");
  await waitForHydration(page);
  const rows = page.locator(".audit-table tbody tr");
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText("Changed");
  await expect(rows.nth(0)).toContainText("source: — → Fair");
  await page.getByLabel("Action").selectOption({ label: "Created" });
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/action=create/);
  await expect(rows).toHaveCount(1);
  const csv = await page.request.get(await page.getByTestId("audit-export").getAttribute("href") as string);
  expect(csv.status()).toBe(200);
  expect((await csv.text()).trim().split("\n")).toHaveLength(2);
});
