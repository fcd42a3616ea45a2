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

/** Waits until the WASM has hydrated the server-rendered page. */
export async function waitForHydration(page: import("@playwright/test").Page) {
  await expect(page.locator(".app")).toHaveAttribute("data-hydrated", "true");
}
