import { test, expect, waitForHydration, signUp, createRecord } from "./fixtures";

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

// The browser suite runs against the split release build (scripts/build-release, decisions 75 and 77): only
// the lists, reports and boards are in the WASM every page loads; every other page's code is in chunks
// fetched when such a page is first opened, whether by a click in the app or directly.
test("a page's own code loads with the page, not before", async ({ page, consoleErrors }) => {
  await createRecord(page, "leads", { company_name: "Chunked Lead Ltd" });
  await createRecord(page, "clients", { company_name: "Chunked Client Ltd" });
  const wasm: string[] = [];
  page.on("request", (request) => {
    const path = new URL(request.url()).pathname;
    if (path.endsWith(".wasm")) wasm.push(path);
  });
  const chunks = (name: string) => wasm.filter((path) => path.includes(name));
  await page.goto("/leads");
  await waitForHydration(page);
  expect(wasm).toEqual(["/pkg/keel.wasm"]);

  const nav = page.getByRole("navigation", { name: "Primary" });
  await nav.getByRole("link", { name: "Users", exact: true }).click();
  await expect(page).toHaveURL(/\/users$/);
  await expect(page.getByRole("heading", { level: 1, name: "Users" })).toBeVisible();
  await expect(page.locator("table tbody tr").first()).toBeVisible();
  expect(chunks("rare_pages_route"), "the rarely used pages' chunk").toHaveLength(1);
  // Another page of the same group: the same lazy route shows the page of the new path, from the same chunk.
  await nav.getByRole("link", { name: "Trash", exact: true }).click();
  await expect(page).toHaveURL(/\/trash$/);
  await expect(page.getByRole("heading", { level: 1, name: "Trash" })).toBeVisible();
  expect(chunks("rare_pages_route"), "the rarely used pages' chunk, fetched once").toHaveLength(1);

  // One route type serves every entity's record page: the entity comes from the path it was opened at.
  for (const [label, plural, name] of [["Leads", "leads", "Chunked Lead Ltd"], ["Clients", "clients", "Chunked Client Ltd"]]) {
    await nav.getByRole("link", { name: label, exact: true }).click();
    await page.getByRole("link", { name, exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`/${plural}/\\d+$`));
    await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
    await expect(page.getByRole("link", { name: "Edit", exact: true })).toHaveAttribute("href", new RegExp(`^/${plural}/\\d+/edit$`));
  }
  // The record's forms are in the same chunk as its page: Edit fetches nothing more.
  const fetched = wasm.length;
  await page.getByRole("link", { name: "Edit", exact: true }).click();
  await expect(page).toHaveURL(/\/clients\/\d+\/edit$/);
  await expect(page.getByRole("heading", { level: 1, name: /^Edit client/i })).toBeVisible();
  await expect(page.getByLabel("Company name")).toHaveValue("Chunked Client Ltd");
  expect(wasm.slice(fetched), "nothing more for the form").toEqual([]);
  expect(chunks("record_pages_route"), "the record pages' chunk, fetched once").toHaveLength(1);
  // The bar that shows a page on its way is gone once it has arrived.
  await expect(page.locator(".route-progress")).not.toHaveClass(/routing/);

  // Opened directly, the page is the server's HTML until its chunk has loaded, then hydrates.
  const beforeDirect = wasm.length;
  await page.goto("/admin/backend-config");
  await waitForHydration(page);
  expect(wasm.slice(beforeDirect).filter((path) => path.includes("rare_pages_route")), "the rarely used pages' chunk, for the new document").toHaveLength(1);
  // Hydrated from the chunk: choosing another entity's rules is answered in the browser.
  await page.locator("#rules-entity").selectOption("clients");
  await expect(page.locator('[data-validation="client"]')).toBeVisible();

  await page.goto("/");
  await waitForHydration(page);
  expect(chunks("home_route"), "the dashboard's chunk").toHaveLength(1);

  // A record path whose id is not a number hydrates as the page the server rendered: that lead is not found.
  const missing = await page.goto("/leads/not-a-number");
  expect(missing?.status(), "a record that is not there is a 404").toBe(404);
  await waitForHydration(page);
  await expect(page.getByRole("heading", { level: 1, name: "Lead not found" })).toBeVisible();
  // Chromium logs the document's own 404 as a console error; that one is expected here.
  const own404 = (e: string) => e.startsWith("Failed to load resource") && e.includes("/leads/not-a-number");
  expect(consoleErrors.filter(own404).length).toBeLessThanOrEqual(1);
  consoleErrors.splice(0, consoleErrors.length, ...consoleErrors.filter((e) => !own404(e)));
});
