import { test, expect, waitForHydration, signUp, createRecord, allowConsoleErrors } from "./fixtures";

test.beforeEach(async ({ page }) => {
  await signUp(page);
});

test("a new lead is checked as it is typed, then created and listed (plan checklist 1.2)", async ({ page }) => {
  await page.goto("/leads/new");
  await waitForHydration(page);
  await page.getByRole("button", { name: "Create lead" }).click();

  const company = page.locator('[data-field="company_name"]');
  await expect(company.locator(".field-error")).toHaveText("Company name is required");
  await expect(page.getByLabel("Company name")).toBeFocused();
  await expect(page.getByRole("alert").filter({ hasText: "Please correct" })).toBeVisible();

  // Leaving a field checks it with the same rules as the server; fixing it clears the message as one types.
  const email = page.getByLabel("Email");
  await email.fill("not-an-email");
  await email.blur();
  await expect(page.locator('[data-field="email"] .field-error')).toHaveText("Invalid email format");
  await email.fill("ops@northwind.test");
  await expect(page.locator('[data-field="email"] .field-error')).toHaveText("");
  await page.getByLabel("Phone").fill("12345");
  await page.getByLabel("Phone").blur();
  await expect(page.locator('[data-field="phone"] .field-error')).toHaveText("Phone must have at least 10 digits");
  await page.getByLabel("Phone").fill("+1 555 010 0199");

  await page.getByLabel("Company name").fill("Northwind Traders");
  await page.getByLabel("Status").selectOption({ label: "Qualified" });
  await page.getByRole("button", { name: "Create lead" }).click();

  await expect(page).toHaveURL(/\/leads\/\d+$/);
  await expect(page.getByRole("heading", { level: 1, name: "Northwind Traders" })).toBeVisible();
  await expect(page.getByRole("status")).toContainText("Created “Northwind Traders”");
  await expect(page.locator('[data-field="lead_status"] dd')).toHaveText("Qualified");

  await page.getByRole("navigation", { name: "Primary" }).getByRole("link", { name: "Leads", exact: true }).click();
  const row = page.locator("tbody tr", { hasText: "Northwind Traders" });
  await expect(row).toBeVisible();
  await expect(row.locator('[data-column="lead_status"]')).toHaveText("Qualified");
  await expect(row.locator('[data-column="email"]')).toHaveText("ops@northwind.test");
});

test("what only the server can know lands on the field it concerns", async ({ page, consoleErrors }) => {
  await createRecord(page, "clients", { company_name: "Globex" });
  const doomed = await createRecord(page, "clients", { company_name: "Initech" });

  // Unique names are the database's to enforce: the 409 names the field.
  await page.goto("/clients/new");
  await waitForHydration(page);
  await page.getByLabel("Company name").fill("Globex");
  await page.getByRole("button", { name: "Create client" }).click();
  await expect(page.locator('[data-field="company_name"] .field-error')).toContainText(/already/i);
  await expect(page).toHaveURL(/\/clients\/new$/);
  await expect(page.getByLabel("Company name")).toHaveValue("Globex");

  // A client chosen in the form, deleted by someone else before the form is sent.
  await page.goto("/projects/new");
  await waitForHydration(page);
  await page.getByLabel("Project name").fill("Migration");
  await page.getByLabel("Client").selectOption({ label: "Initech" });
  const gone = await page.request.delete(`/api/clients/${doomed.id}`);
  expect(gone.status()).toBe(204);
  await page.getByRole("button", { name: "Create project" }).click();
  await expect(page.locator('[data-field="client_id"] .field-error')).not.toHaveText("");
  await expect(page).toHaveURL(/\/projects\/new$/);
  await expect(page.getByLabel("Project name")).toHaveValue("Migration");
  await allowConsoleErrors(consoleErrors, /status of 409 .*\/api\/clients\]/, /status of 400 .*\/api\/projects\]/);
});

test("an edit that lost a race says so and keeps what was typed", async ({ page, consoleErrors }) => {
  const lead = await createRecord(page, "leads", { company_name: "Umbrella", contact_name: "Alice" });
  await page.goto(`/leads/${lead.id}/edit`);
  await waitForHydration(page);
  await expect(page.getByLabel("Contact name")).toHaveValue("Alice");

  // Someone else saves first.
  const other = await page.request.patch(`/api/leads/${lead.id}`, { data: { version: lead.version, source: "Trade show" } });
  expect(other.status()).toBe(200);

  await page.getByLabel("Contact name").fill("Bob");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("was changed by someone else")).toBeVisible();
  await expect(page.getByLabel("Contact name")).toHaveValue("Bob");

  // Keep mine: the other person's change to another field survives.
  await page.getByRole("button", { name: "Save my version over theirs" }).click();
  await expect(page).toHaveURL(new RegExp(`/leads/${lead.id}$`));
  await expect(page.locator('[data-field="contact_name"] dd')).toHaveText("Bob");
  await expect(page.locator('[data-field="source"] dd')).toHaveText("Trade show");
  await allowConsoleErrors(consoleErrors, /status of 409 .*\/api\/leads\/\d+\]/);
});

test("delete asks first, and the record comes back from Trash", async ({ page }) => {
  const client = await createRecord(page, "clients", { company_name: "Soylent" });
  await createRecord(page, "projects", { project_name: "Green launch", client_id: client.id });

  await page.goto(`/clients/${client.id}`);
  await waitForHydration(page);
  const projects = page.locator('[data-related="projects"]');
  await expect(projects.getByRole("link", { name: "Green launch" })).toBeVisible();
  // "Add" starts a project for this client.
  await projects.getByRole("link", { name: "Add" }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/new\\?client_id=${client.id}$`));
  await expect(page.getByLabel("Client")).toHaveValue(String(client.id));
  await page.goBack();
  await waitForHydration(page);

  await page.getByRole("button", { name: "Delete", exact: true }).click();
  const dialog = page.getByRole("alertdialog");
  await expect(dialog).toContainText("moves to Trash, where it can be restored");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  await page.getByRole("button", { name: "Delete", exact: true }).click();
  await dialog.getByRole("button", { name: "Delete client" }).click();

  await expect(page).toHaveURL(/\/clients$/);
  await expect(page.getByRole("status").filter({ hasText: "Deleted “Soylent”" })).toBeVisible();
  await expect(page.locator("tbody tr", { hasText: "Soylent" })).toHaveCount(0);

  await page.getByRole("navigation", { name: "Primary" }).getByRole("link", { name: "Trash" }).click();
  // Trash is a lazy page: the clients list stays until its code has arrived.
  await expect(page.getByRole("heading", { level: 1, name: "Trash" })).toBeVisible();
  await page.getByRole("link", { name: "Clients" }).last().click();
  await expect(page).toHaveURL(/\/trash\?entity=clients/);
  await page.getByRole("button", { name: "Restore Soylent" }).click();
  await expect(page.getByText("Restored “Soylent”.")).toBeVisible();

  await page.goto(`/clients/${client.id}`);
  await expect(page.getByRole("heading", { level: 1, name: "Soylent" })).toBeVisible();
  // The client's project went to Trash with it and came back with it.
  await expect(page.locator('[data-related="projects"]').getByRole("link", { name: "Green launch" })).toBeVisible();
});

test("a viewer sees records but no way to change them", async ({ page, browser }) => {
  const lead = await createRecord(page, "leads", { company_name: "Read Only Inc" });
  const viewer = { name: "Vic Viewer", email: `vic-${Date.now()}@viewer.test`, password: "correct horse battery", role: "viewer" };
  expect((await page.request.post("/api/users", { data: viewer })).status()).toBe(201);
  const context = await browser.newContext();
  const other = await context.newPage();
  const login = await other.request.post("/api/auth/login", { data: { email: viewer.email, password: viewer.password } });
  expect(login.status()).toBe(200);
  await other.goto(`/leads/${lead.id}`);
  await waitForHydration(other);
  await expect(other.getByRole("heading", { level: 1, name: "Read Only Inc" })).toBeVisible();
  await expect(other.getByRole("link", { name: "Edit" })).toHaveCount(0);
  await expect(other.getByRole("button", { name: "Delete" })).toHaveCount(0);
  await other.goto("/leads");
  await expect(other.getByRole("link", { name: "New lead" })).toHaveCount(0);
  await context.close();
});

test("the header search finds records of every entity", async ({ page }) => {
  await createRecord(page, "leads", { company_name: "Zephyr Labs" });
  const client = await createRecord(page, "clients", { company_name: "Zephyr Holdings" });
  await createRecord(page, "tasks", { title: "Call Zephyr back", client_id: client.id });
  await createRecord(page, "leads", { company_name: "Unrelated Ltd" });
  await page.goto("/");
  await waitForHydration(page);
  await page.getByRole("searchbox", { name: "Search everything" }).fill("zephyr");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/search\?q=zephyr$/);
  await expect(page.locator('[data-results="leads"] h2')).toHaveText("Leads (1)");
  await expect(page.locator('[data-results="clients"]').getByRole("link", { name: "Zephyr Holdings" })).toBeVisible();
  await expect(page.locator('[data-results="tasks"]').getByRole("link", { name: "Call Zephyr back" })).toBeVisible();
  await expect(page.locator('[data-results="projects"] h2')).toHaveText("Projects (0)");
  await page.locator('[data-results="leads"]').getByRole("link", { name: "See all" }).click();
  await expect(page).toHaveURL(/\/leads\?q=zephyr$/);
  await expect(page.locator("tbody tr")).toHaveCount(1);
  await expect(page.getByLabel("Search", { exact: true })).toHaveValue("zephyr");
});
