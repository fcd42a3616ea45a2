import { test, expect, newAccount, signUp, waitForHydration, allowConsoleErrors, PASSWORD } from "./fixtures";

type Page = import("@playwright/test").Page;

// The browser suite's server keeps the default per-email sign-in limit (5 a minute) and search limit (30 a
// minute per user); scripts/test raises only the per-address and per-tenant budgets every test shares.

/** One sign-in through the form: a real POST that answers with a redirect back to /login (with the error) or
 * onwards. Waits for the new page, so that the next attempt never types into the page being replaced. */
async function signInThroughForm(page: Page, email: string, password: string) {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await Promise.all([
    page.waitForEvent("framenavigated", { predicate: (frame) => frame === page.mainFrame() }),
    page.getByRole("button", { name: "Sign in" }).click(),
  ]);
  await page.waitForLoadState("load");
  await waitForHydration(page);
}

test("a sixth sign-in attempt in a minute says when to try again", async ({ page }) => {
  const account = newAccount();
  await signUp(page, account);
  await page.context().clearCookies();
  await page.goto("/login");
  await waitForHydration(page);
  for (let attempt = 1; attempt <= 5; attempt++) {
    await signInThroughForm(page, account.email, "not the password");
    await expect(page.locator(".form-error")).toHaveText("Invalid email or password");
  }
  await signInThroughForm(page, account.email, PASSWORD);
  await expect(page.locator(".form-error")).toHaveText(/^Too many attempts — try again in \d+ s$/);
  await expect(page).toHaveURL(/\/login/);
});

test("a search refused for going too fast shows a banner with when to retry", async ({ page, consoleErrors }) => {
  await signUp(page);
  for (let n = 0; n < 30; n++) {
    const response = await page.request.get(`/api/leads?q=warm-up-${n}`);
    expect(response.status()).toBe(200);
  }
  await page.goto("/reports/leads");
  await waitForHydration(page);
  await page.getByRole("searchbox", { name: "Search", exact: true }).fill("acme");
  const banner = page.locator("[data-rate-limited]");
  await expect(banner).toContainText(/Too many searches — try again in \d+ s/);
  await banner.getByRole("button", { name: "Dismiss" }).click();
  await expect(banner).toHaveCount(0);
  await allowConsoleErrors(consoleErrors, /429/);
});
