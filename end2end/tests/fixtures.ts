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
