import { test, expect, waitForHydration, signUp } from "./fixtures";

test.beforeEach(async ({ page }) => {
  await signUp(page);
});

test("the shell is rendered on the server with the navigation", async ({ page }) => {
  const response = await page.request.get("/");
  expect(response.status()).toBe(200);
  const html = await response.text();
  for (const label of ["Leads", "Clients", "Projects", "Accounts", "Tasks", "Reports", "Lead report", "Trash"]) {
    expect(html).toContain(label);
  }
  // Server-rendered: the hydration flag is still false in the HTML the server sends.
  expect(html).toContain('data-hydrated="false"');
});

test("the page hydrates and the navigation toggle works", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveTitle(/Keel CRM/);
  const nav = page.getByRole("navigation", { name: "Primary" });
  const links = ["Leads", "Clients", "Projects", "Accounts", "Tasks", "Lead report", "Client report", "Project report", "Account report", "Trash"];
  for (const label of links) {
    await expect(nav.getByRole("link", { name: label, exact: true })).toBeVisible();
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
  await nav.getByRole("link", { name: "Clients", exact: true }).click();
  await expect(page).toHaveURL(/\/clients$/);
  await expect(page.getByRole("heading", { level: 1, name: "Clients" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Clients", exact: true })).toHaveAttribute("aria-current", "page");
  await expect(page).toHaveTitle("Clients · Keel CRM");
  await nav.getByRole("link", { name: "Project report" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Project report" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Project report" })).toHaveAttribute("aria-current", "page");
  await expect(nav.getByRole("link", { name: "Clients", exact: true })).not.toHaveAttribute("aria-current", "page");
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

// The browser suite runs against the split release build (scripts/build-release, decision 75): a rarely used
// page's code is not in the WASM every page loads, but in chunks fetched when the page is first opened,
// whether by a click in the app or directly.
test("a rarely used page's code loads with the page, not before", async ({ page }) => {
  const wasm: string[] = [];
  page.on("request", (request) => {
    const path = new URL(request.url()).pathname;
    if (path.endsWith(".wasm")) wasm.push(path);
  });
  await page.goto("/");
  await waitForHydration(page);
  expect(wasm).toEqual(["/pkg/keel.wasm"]);

  const nav = page.getByRole("navigation", { name: "Primary" });
  await nav.getByRole("link", { name: "Users", exact: true }).click();
  await expect(page).toHaveURL(/\/users$/);
  await expect(page.getByRole("heading", { level: 1, name: "Users" })).toBeVisible();
  await expect(page.locator("table tbody tr").first()).toBeVisible();
  expect(wasm.filter((path) => path.includes("users_route")), "the Users page's chunk").toHaveLength(1);

  // Opened directly, the page is the server's HTML until its chunk has loaded, then hydrates.
  await page.goto("/admin/backend-config");
  await waitForHydration(page);
  expect(wasm.filter((path) => path.includes("backend_config_route")), "the configuration page's chunk").toHaveLength(1);
  // Hydrated from the chunk: choosing another entity's rules is answered in the browser.
  await page.locator("#rules-entity").selectOption("clients");
  await expect(page.locator('[data-validation="client"]')).toBeVisible();
});
