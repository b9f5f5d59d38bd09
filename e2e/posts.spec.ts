import { expect, test, trpcCall } from "./fixtures";

test("search posts and spot check one by its status id", async ({ page, signIn, state, snap }) => {
  const listed = await trpcCall(page, state.readerKey, "query", "posts.list", { limit: 1, minScore: 0.5 });
  const post = (
    listed.body as {
      result: { data: { json: { items: { status_id: string; author: { handle: string }; body: string }[] } } };
    }
  ).result.data.json.items[0]!;

  await signIn("reader");
  await page.goto("/posts");
  await page.getByLabel("Author handle").fill(post.author.handle);
  await page.getByLabel("Min score").fill("0.5");
  await page.getByRole("button", { name: "Apply" }).click();
  const rows = page.getByTestId("post-row");
  await expect(rows.first()).toBeVisible();
  for (const row of await rows.all()) await expect(row).toContainText(`@${post.author.handle}`);
  await snap("posts-search");

  await page.getByLabel("Spot check a status id").fill(post.status_id);
  await page.getByRole("button", { name: "Open" }).click();
  await expect(page).toHaveURL(new RegExp(`/posts/${post.status_id}$`));
  await expect(page.getByRole("heading", { name: `Post ${post.status_id}` })).toBeVisible();
  await expect(page.getByTestId("post-author")).toHaveText(`@${post.author.handle}`);
  await expect(page.getByTestId("post-body")).toHaveText(post.body);
  await expect(page.getByTestId("ingest-history")).toContainText("First seen by the server");
  await expect(page.getByTestId("cited-run")).toBeVisible();
  await expect(page.getByLabel("Raw JSON of the post as stored")).toContainText(`"id": "${post.status_id}"`);
  await snap("post-detail");
});

test("an unknown status id gets a clear not-found page", async ({ page, signIn, snap }) => {
  await signIn("reader");
  await page.goto("/posts");
  await page.getByLabel("Spot check a status id").fill("12345");
  await page.getByRole("button", { name: "Open" }).click();
  await expect(page).toHaveURL(/\/posts\/12345$/);
  await expect(page.getByRole("heading", { name: "Post not found" })).toBeVisible();
  await expect(page.getByTestId("post-not-found")).toContainText("no post with status id 12345");
  await snap("post-not-found");
});

test("a post stored with anomalies lists them on its spot-check page", async ({ page, signIn, state, snap }) => {
  const statusId = "1999000000000000001";
  const at = new Date().toISOString();
  const pushed = await trpcCall(page, state.adminKey, "mutation", "ingest.push", {
    idempotencyKey: `e2e-anomalies-${Date.now()}`,
    collector: "e2e-legacy",
    mode: "cutover",
    posts: [
      {
        status_id: statusId,
        author_handle: "Old.Desk",
        author_id: "legacy:user-1",
        body: "imported as it was: the contract allows it, X would not issue it",
        created_at: at,
        collected_at: at,
        mode: "priority",
        updated_at: at,
      },
    ],
  });
  expect(pushed.status).toBe(200);
  expect(pushed.body).toMatchObject({
    result: { data: { json: { tables: { posts: { inserted: 1, anomalies: 1 } } } } },
  });

  await signIn("reader");
  await page.goto(`/posts/${statusId}`);
  await expect(page.getByTestId("post-author")).toHaveText("@Old.Desk");
  await expect(page.getByText("3 anomalies")).toBeVisible();
  const anomalies = page.getByTestId("post-anomalies");
  await expect(anomalies).toContainText("author_handle: not an X handle");
  await expect(anomalies).toContainText("author_handle: not lowercase");
  await expect(anomalies).toContainText("author_id: not an X user id");
  await snap("post-anomalies");
});
