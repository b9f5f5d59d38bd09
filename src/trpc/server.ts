import "server-only";
// Server components call procedures through a server-side caller and share
// the query cache with the client through hydration.
import { createTRPCOptionsProxy } from "@trpc/tanstack-react-query";
import { headers } from "next/headers";
import { cache } from "react";
import { appRouter } from "~/server/api/root";
import { createRequestContext } from "~/server/api/context";
import { makeQueryClient } from "./query-client";

export const getQueryClient = cache(makeQueryClient);

const createContext = cache(async () => createRequestContext(await headers()));

export const trpc = createTRPCOptionsProxy({ ctx: createContext, router: appRouter, queryClient: getQueryClient });

export const serverCaller = cache(async () => appRouter.createCaller(await createContext()));

/** Who is signed in for this request (session cookie or bearer key), resolved once per request. */
export const getRequestPrincipal = cache(async () => (await createContext()).principal);
