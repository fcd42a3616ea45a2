import { test, expect, waitForHydration, signUp } from "./fixtures";

test.beforeEach(async ({ page }) => {
  await signUp(page);
});

test("the shell is rendered on the server with the navigation", async ({ page }) => {
  const response = await page.request.get("/");
  expect(response.status()).toBe(200);
  const html = await response.text();
  for (const label of ["Leads", "Clients", "Projects", "Accounts", "Tasks", "Reports"]) {
    expect(html).toContain(label);
  }
  // Server-rendered: the hydration flag is still false in the HTML the server sends.
  expect(html).toContain('data-hydrated="false"');
});

test("the page hydrates and the navigation toggle works", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveTitle(/Keel CRM/);
  const nav = page.getByRole("navigation", { name: "Primary" });
  for (const label of ["Leads", "Clients", "Projects", "Accounts", "Tasks", "Reports"]) {
    await expect(nav.getByRole("link", { name: label })).toBeVisible();
  }
  await waitForHydration(page);

  // Only the WASM can answer this click: the server-rendered button has no behaviour of its own.
  const toggle = page.getByRole("button", { name: "Toggle navigation" });
  await expect(toggle).toHaveAttribute("aria-expanded", "true");
  await toggle.click();
  await expect(toggle).toHaveAttribute("aria-expanded", "false");
  await expect(nav).toBeHidden();
  await toggle.click();
  await expect(nav).toBeVisible();
});

test("client-side navigation marks the current page", async ({ page }) => {
  await page.goto("/");
  await waitForHydration(page);
  const nav = page.getByRole("navigation", { name: "Primary" });
  await nav.getByRole("link", { name: "Clients" }).click();
  await expect(page).toHaveURL(/\/clients$/);
  await expect(page.getByRole("heading", { level: 1, name: "Clients" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Clients" })).toHaveAttribute("aria-current", "page");
  await expect(page).toHaveTitle("Clients · Keel CRM");
});

test("an unknown page says so with a 404", async ({ page, consoleErrors }) => {
  const response = await page.goto("/no-such-page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  // Chromium logs the document's own 404 as a console error; that one is the point of this test.
  const own404 = (e: string) => e.startsWith("Failed to load resource") && e.includes("/no-such-page");
  expect(consoleErrors.filter(own404).length).toBeLessThanOrEqual(1);
  consoleErrors.splice(0, consoleErrors.length, ...consoleErrors.filter((e) => !own404(e)));
});
