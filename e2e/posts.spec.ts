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
