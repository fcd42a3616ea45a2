import { readFile } from "node:fs/promises";
import { test, expect, waitForHydration, signUp } from "./fixtures";

type Page = import("@playwright/test").Page;

// scripts/test starts the server with a Sentry DSN pointing at a local capture endpoint that appends every
// envelope it receives to this file.
const CAPTURE_FILE = process.env.KEEL_SENTRY_CAPTURE_FILE;

/** Waits until the capture endpoint has an event carrying `message`, and returns that event. */
async function capturedEvent(message: string): Promise<Record<string, any>> {
  expect(CAPTURE_FILE, "KEEL_SENTRY_CAPTURE_FILE must be set by scripts/test").toBeTruthy();
  let found: Record<string, any> | undefined;
  await expect
    .poll(async () => {
      const text = await readFile(CAPTURE_FILE!, "utf8").catch(() => "");
      for (const line of text.split("\n")) {
        if (!line.includes(message)) continue;
        try {
          const item = JSON.parse(line);
          if (item.tags) found = item;
        } catch {
          // Envelope headers and item headers are JSON too; only the event has tags.
        }
      }
      return found !== undefined;
    }, { timeout: 15_000 })
    .toBe(true);
  return found!;
}

async function openDiagnostics(page: Page) {
  await signUp(page);
  await page.goto("/diagnostics");
  await waitForHydration(page);
  await expect(page.getByRole("heading", { level: 1, name: "Diagnostics" })).toBeVisible();
}

test("an error thrown in a component shows a friendly message and reaches Sentry as a browser error", async ({ page }) => {
  await openDiagnostics(page);
  const report = page.waitForRequest((r) => r.url().endsWith("/api/client-errors") && r.method() === "POST");
  const reported = page.waitForResponse((r) => r.url().endsWith("/api/client-errors"));
  await page.getByRole("button", { name: "Throw a test error in a component" }).click();

  const fallback = page.getByRole("alert").filter({ hasText: "Something went wrong" });
  await expect(fallback).toBeVisible();
  await expect(fallback.getByRole("button", { name: "Reload page" })).toBeVisible();
  // The rest of the app keeps working around the boundary.
  await expect(page.getByRole("navigation", { name: "Primary" })).toBeVisible();

  const body = (await report).postDataJSON();
  expect(body.kind).toBe("error");
  expect(body.message).toContain("a test error thrown in a component");
  expect((await reported).status()).toBe(202);

  const event = await capturedEvent("a test error thrown in a component");
  expect(event.tags.source).toBe("browser");
  expect(JSON.stringify(event)).not.toContain("correct horse battery");
});

test("a panic is reported and replaced by a notice with a Reload link", async ({ page, consoleErrors }) => {
  await openDiagnostics(page);
  const report = page.waitForRequest((r) => r.url().endsWith("/api/client-errors") && r.method() === "POST");
  await page.getByRole("button", { name: "Trigger a test panic" }).click();

  const body = (await report).postDataJSON();
  expect(body.kind).toBe("panic");
  expect(body.message).toContain("a test panic");
  const notice = page.locator(".crash-notice");
  await expect(notice).toContainText("Something went wrong");
  await expect(notice.getByRole("link", { name: "Reload page" })).toHaveAttribute("href", /\/diagnostics$/);
  const event = await capturedEvent("a test panic");
  expect(event.tags.source).toBe("browser");

  // The panic itself is logged to the console by design; nothing else may be.
  const expected = (e: string) => /test panic|unreachable|RuntimeError/.test(e);
  expect(consoleErrors.some(expected)).toBe(true);
  consoleErrors.splice(0, consoleErrors.length, ...consoleErrors.filter((e) => !expected(e)));
});

test("diagnostics are for administrators only", async ({ page, browser }) => {
  await signUp(page);
  const member = { name: "Mo Member", email: `mo-${Date.now()}@member.test`, password: "correct horse battery", role: "member" };
  expect((await page.request.post("/api/users", { data: member })).status()).toBe(201);
  const context = await browser.newContext();
  const other = await context.newPage();
  expect((await other.request.post("/api/auth/login", { data: { email: member.email, password: member.password } })).status()).toBe(200);
  const response = await other.goto("/diagnostics");
  expect(response?.status()).toBe(403);
  await expect(other.getByRole("button", { name: "Trigger a test panic" })).toHaveCount(0);
  await context.close();
});
