import { test as base, expect } from "@playwright/test";

// Every test fails on a console error or an uncaught exception in the page: a hydrated app that logs
// errors is broken even when the assertions pass.
export const test = base.extend<{ consoleErrors: string[] }>({
  consoleErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on("console", (message) => {
        if (message.type() === "error") errors.push(`${message.text()} [${message.location().url}]`);
      });
      page.on("pageerror", (error) => errors.push(`uncaught: ${error.message}`));
      await use(errors);
      expect(errors, "console errors during the test").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

type Page = import("@playwright/test").Page;

/** Waits until the WASM has hydrated the server-rendered page (the app frame and the sign-in pages say so). */
export async function waitForHydration(page: Page) {
  await expect(page.locator("[data-hydrated]").first()).toHaveAttribute("data-hydrated", "true");
}

/** Saves the page's report (or board) as a view through the View menu's Save view… form. */
export async function saveViewFromPage(page: Page, name: string, options: { shared?: boolean; pinned?: boolean } = {}) {
  await page.getByRole("button", { name: "Save view…" }).click();
  const form = page.locator("#save-view-form");
  await form.getByLabel("Name").fill(name);
  if (options.shared) await form.getByLabel("Share with my organisation").check();
  if (options.pinned) await form.getByLabel("Pin to navigation").check();
  await form.getByRole("button", { name: "Save", exact: true }).click();
  await expect(form).toBeHidden();
}

export const PASSWORD = "correct horse battery";

export interface Account {
  tenant: string;
  name: string;
  email: string;
}

/** A fresh tenant per test, so tests never see each other's data. */
export function newAccount(label = "acme"): Account {
  const id = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  return { tenant: `${label} ${id}`, name: `Ada ${id}`, email: `ada-${id}@${label}.test` };
}

/** Signs up through the API from the page's own context, so the browser holds the session cookie. */
export async function signUp(page: Page, account = newAccount()): Promise<Account> {
  const response = await page.request.post("/api/auth/signup", {
    data: { tenant_name: account.tenant, name: account.name, email: account.email, password: PASSWORD },
  });
  expect(response.status()).toBe(201);
  return account;
}

type Json = Record<string, unknown>;

/** Creates a record through the API as the signed-in browser user and returns it. */
export async function createRecord(page: Page, plural: string, data: Json): Promise<Json & { id: number; version: number }> {
  const response = await page.request.post(`/api/${plural}`, { data });
  expect(response.status(), `POST /api/${plural} ${JSON.stringify(data)}: ${await response.text()}`).toBe(201);
  return response.json();
}

/** Creates many records, a few requests at a time (the server is shared with the other worker). */
export async function createRecords(page: Page, plural: string, items: Json[], parallel = 8): Promise<Json[]> {
  const created: Json[] = [];
  for (let start = 0; start < items.length; start += parallel) {
    const batch = items.slice(start, start + parallel);
    created.push(...(await Promise.all(batch.map((data) => createRecord(page, plural, data)))));
  }
  return created;
}

/** Zero-padded, so names sort the same as numbers. */
export const pad = (n: number, width = 3) => String(n).padStart(width, "0");

/** Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF line ends). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") { row.push(field); field = ""; }
    else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(field); rows.push(row); row = []; field = "";
    } else field += ch;
  }
  if (field !== "" || row.length) { row.push(field); rows.push(row); }
  return rows;
}

/** Accepts console errors a test causes on purpose (Chromium logs every failed fetch), each at least once. Chromium
 * reports a failed fetch to the console a moment after the page has handled it, so each is waited for. */
export async function allowConsoleErrors(errors: string[], ...expected: RegExp[]) {
  for (const pattern of expected) {
    await expect
      .poll(() => errors.some((e) => pattern.test(e)), { message: `expected a console error matching ${pattern}` })
      .toBe(true);
  }
  errors.splice(0, errors.length, ...errors.filter((e) => !expected.some((p) => p.test(e))));
}
