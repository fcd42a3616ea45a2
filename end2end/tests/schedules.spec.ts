import { readFile } from "node:fs/promises";
import { test, expect, waitForHydration, signUp, createRecord, allowConsoleErrors, saveViewFromPage } from "./fixtures";

// Scheduled reports (issue 16): Schedule… on a saved view, the Scheduled reports page, Run now, the run's
// download (the view's export, byte for byte) and Pause. Every test has its own organisation (signUp).

test("a saved view scheduled daily runs now and its file is the view's export", async ({ page, consoleErrors }) => {
  test.setTimeout(60_000);
  await signUp(page);
  await createRecord(page, "leads", { company_name: "Acme", contact_name: "Ann", lead_status: "new" });
  await createRecord(page, "leads", { company_name: "Bolt", contact_name: "Ben", lead_status: "won" });
  await createRecord(page, "leads", { company_name: "Crux", contact_name: "Cy", lead_status: "new" });
  // Save view… from the filtered report, pinned: it shows in the navigation, and still does after a reload.
  await page.goto("/leads?lead_status=new");
  await waitForHydration(page);
  await expect(page.locator("tbody tr[data-id]")).toHaveCount(2);
  await saveViewFromPage(page, "New leads", { pinned: true });
  const pinned = page.getByRole("navigation", { name: "Primary" }).getByRole("link", { name: "New leads" });
  await expect(pinned).toBeVisible();
  await page.reload();
  await waitForHydration(page);
  await expect(pinned).toBeVisible();
  const viewHref = (await pinned.getAttribute("href"))!;
  const viewId = new URL(viewHref, page.url()).searchParams.get("view");
  await expect(page.locator("#view-select")).toHaveValue(viewId!);

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

  // Export CSV of the same view, from its report page: the same bytes.
  await pinned.click();
  await expect(page).toHaveURL(new RegExp(`[?&]view=${viewId}`));
  await waitForHydration(page);
  const [exported] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-csv").click()]);
  const exportedFile = await readFile((await exported.path())!);
  expect(file.equals(exportedFile), "the run's file is the view's Export CSV").toBe(true);

  await page.goto("/reports/schedules");
  await waitForHydration(page);
  // Pause: the schedule says so and offers Resume.
  await row.getByRole("button", { name: "Pause" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Paused “New leads”." })).toBeVisible();
  await expect(row).toHaveAttribute("data-enabled", "false");
  await expect(row.locator(".schedule-next")).toHaveText("Paused");
  await expect(row.getByRole("button", { name: "Resume" })).toBeVisible();
});

test("a schedule is edited on the Scheduled reports page, its problems next to their fields", async ({ page, consoleErrors }) => {
  await signUp(page);
  const made = await page.request.post("/api/views", { data: { entity: "leads", name: "Pipeline", query: "lead_status=new" } });
  expect(made.status(), await made.text()).toBe(201);
  const view = (await made.json()) as { id: number };
  const scheduled = await page.request.post("/api/report-schedules", {
    data: { view_id: view.id, cadence: "daily", time: "06:45", time_zone: "Europe/Berlin", recipients: ["boss@example.com"] },
  });
  expect(scheduled.status(), await scheduled.text()).toBe(201);
  const schedule = (await scheduled.json()) as { id: number; version: number };

  await page.goto("/reports/schedules");
  await waitForHydration(page);
  const row = page.locator("tbody.schedule").filter({ hasText: "Pipeline" });
  await expect(row).toContainText("Daily at 06:45 Europe/Berlin");
  await row.getByRole("button", { name: "Edit" }).click();
  const form = page.locator("#schedule-form");
  // The form opens with the schedule as it is.
  await expect(form.getByLabel("Cadence")).toHaveValue("daily");
  await expect(form.getByLabel("Time", { exact: true })).toHaveValue("06:45");
  await expect(form.getByLabel("Time zone")).toHaveValue("Europe/Berlin");
  await expect(form.getByLabel("Recipients (comma-separated emails)")).toHaveValue("boss@example.com");

  // Weekly without a day: the server's problem lands on the days.
  await form.getByLabel("Cadence").selectOption("weekly");
  await form.getByRole("button", { name: "Save", exact: true }).click();
  await expect(form.locator(".schedule-days .field-error")).not.toBeEmpty();
  await allowConsoleErrors(consoleErrors, /status of 400 .*\/api\/report-schedules\/\d+\]/);

  await form.getByLabel("Mon", { exact: true }).check();
  await form.getByLabel("Thu", { exact: true }).check();
  await form.getByLabel("Time", { exact: true }).fill("09:15");
  await form.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved “Pipeline”: Weekly on Mon, Thu at 09:15 Europe/Berlin." })).toBeVisible();
  await expect(form).toHaveCount(0);
  await expect(row).toContainText("Weekly on Mon, Thu at 09:15 Europe/Berlin");
  const stored = await page.request.get(`/api/report-schedules/${schedule.id}`);
  expect(await stored.json()).toMatchObject({ cadence: "weekly", days: ["mon", "thu"], time: "09:15", version: schedule.version + 1 });

  // Changed elsewhere meanwhile: the save is refused (409) and says so; nothing is overwritten.
  await row.getByRole("button", { name: "Edit" }).click();
  const elsewhere = await page.request.patch(`/api/report-schedules/${schedule.id}`, { data: { time: "10:00" } });
  expect(elsewhere.status()).toBe(200);
  await form.getByLabel("Time", { exact: true }).fill("11:30");
  await form.getByRole("button", { name: "Save", exact: true }).click();
  await expect(form.locator(".form-error")).not.toBeEmpty();
  await allowConsoleErrors(consoleErrors, /status of 409/);
  const kept = await page.request.get(`/api/report-schedules/${schedule.id}`);
  expect(((await kept.json()) as { time: string }).time).toBe("10:00");
  await form.getByRole("button", { name: "Cancel" }).click();
  await expect(form).toHaveCount(0);
});
