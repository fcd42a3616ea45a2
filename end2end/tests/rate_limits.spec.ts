import { test, expect, newAccount, signUp, waitForHydration, allowConsoleErrors, PASSWORD } from "./fixtures";

// The browser suite's server keeps the default per-email sign-in limit (5 a minute) and search limit (30 a
// minute per user); scripts/test raises only the per-address and per-tenant budgets every test shares.

test("a sixth sign-in attempt in a minute says when to try again", async ({ page }) => {
  const account = newAccount();
  await signUp(page, account);
  await page.context().clearCookies();
  await page.goto("/login");
  await waitForHydration(page);
  for (let attempt = 1; attempt <= 5; attempt++) {
    await page.getByLabel("Email").fill(account.email);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.locator(".form-error")).toHaveText("Invalid email or password");
    await waitForHydration(page);
  }
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
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
  allowConsoleErrors(consoleErrors, /429/);
});
