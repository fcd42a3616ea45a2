import { readFile } from "node:fs/promises";
import { test, expect, waitForHydration, signUp, createRecord, allowConsoleErrors } from "./fixtures";

// Scheduled reports (issue 16): Schedule… on a saved view, the Scheduled reports page, Run now, the run's
// download (the view's export, byte for byte) and Pause. Every test has its own organisation (signUp).

test("a saved view scheduled daily runs now and its file is the view's export", async ({ page, consoleErrors }) => {
  test.setTimeout(60_000);
  await signUp(page);
  await createRecord(page, "leads", { company_name: "Acme", contact_name: "Ann", lead_status: "new" });
  await createRecord(page, "leads", { company_name: "Bolt", contact_name: "Ben", lead_status: "won" });
  await createRecord(page, "leads", { company_name: "Crux", contact_name: "Cy", lead_status: "new" });
  const created = await page.request.post("/api/views", {
    data: { entity: "leads", name: "New leads", query: "lead_status=new", shared: false, pinned: false },
  });
  expect(created.status(), await created.text()).toBe(201);
  const view = (await created.json()) as { id: number };

  await page.goto(`/leads?lead_status=new&view=${view.id}`);
  await waitForHydration(page);
  await expect(page.locator("#view-select")).toHaveValue(String(view.id));

  // Schedule…: daily at 07:30 in the organisation's time zone (prefilled).
  await page.getByRole("button", { name: "Schedule…" }).click();
  const form = page.locator("#schedule-form");
  await expect(form.getByLabel("Time zone")).not.toHaveValue("");
  const zone = await form.getByLabel("Time zone").inputValue();
  await form.getByLabel("Cadence").selectOption("daily");
  await form.getByLabel("Time", { exact: true }).fill("07:30");
  // A bad webhook comes back from the server next to its field.
  await form.getByLabel("Webhook URL (optional)").fill("http://example.test/hook");
  await form.getByRole("button", { name: "Schedule", exact: true }).click();
  await expect(form.locator("#schedule-webhook-error")).not.toBeEmpty();
  await allowConsoleErrors(consoleErrors, /status of 400 .*\/api\/report-schedules\]/);
  await form.getByLabel("Webhook URL (optional)").fill("");
  await form.getByRole("button", { name: "Schedule", exact: true }).click();
  await expect(form.getByRole("status")).toContainText(`Scheduled “New leads”: Daily at 07:30 ${zone}.`);

  // The Scheduled reports page, from the confirmation's link.
  await form.getByRole("link", { name: "Scheduled reports" }).click();
  await expect(page).toHaveURL(/\/reports\/schedules$/);
  await waitForHydration(page);
  const row = page.locator("tbody.schedule").filter({ hasText: "New leads" });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(`Daily at 07:30 ${zone}`);
  await expect(row.locator(".schedule-last")).toHaveText("Never");

  await row.getByRole("button", { name: "Run now" }).click();
  const latest = row.locator("tr.run").first();
  await expect(latest).toHaveAttribute("data-status", "succeeded", { timeout: 20_000 });
  await expect(latest.locator(".run-rows")).toHaveText("2");
  await expect(row.locator(".schedule-last")).toHaveText("Succeeded");

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    row.locator("tr.run").first().getByRole("link", { name: "Download" }).click(),
  ]);
  const file = await readFile((await download.path())!);
  const exported = await page.request.get("/api/leads/export.csv?lead_status=new");
  expect(exported.status()).toBe(200);
  expect(file.equals(await exported.body()), "the run's file is the view's export").toBe(true);

  // Pause: the schedule says so and offers Resume.
  await row.getByRole("button", { name: "Pause" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Paused “New leads”." })).toBeVisible();
  await expect(row).toHaveAttribute("data-enabled", "false");
  await expect(row.locator(".schedule-next")).toHaveText("Paused");
  await expect(row.getByRole("button", { name: "Resume" })).toBeVisible();
});
