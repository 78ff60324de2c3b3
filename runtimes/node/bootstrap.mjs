// SPDX-License-Identifier: MIT
// Runnel's bootstrap for nodejs functions: a Lambda Runtime API client
// (2018-06-01) that loads the handler ("path/file.function": file.mjs, .js
// or .cjs under LAMBDA_TASK_ROOT, ES module or CommonJS), then loops: wait
// for an invocation, call the handler (async, or with a callback) with AWS's
// event and context, post the result or the error as AWS's Node runtime
// shapes them. Node's own http module only; the machine's node runs it.
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(":");
const BASE = "/2018-06-01/runtime";
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function request(method, p, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, method, path: BASE + p, agent, headers }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

function post(p, value, errorType) {
  const body = Buffer.from(typeof value === "string" ? value : JSON.stringify(value));
  const headers = { "Content-Type": "application/json", "Content-Length": body.length };
  if (errorType) headers["Lambda-Runtime-Function-Error-Type"] = errorType;
  return request("POST", p, body, headers);
}

function errorOf(e) {
  if (e instanceof Error) {
    return { errorType: e.name || "Error", errorMessage: e.message,
             trace: (e.stack || "").split("\n") };
  }
  return { errorType: typeof e, errorMessage: String(e), trace: [] };
}

class InitError extends Error {
  constructor(kind, message) {
    super(message);
    this.name = kind;
  }
}

async function loadHandler() {
  const spec = process.env._HANDLER || "";
  const dot = spec.lastIndexOf(".");
  if (dot <= 0) throw new InitError("Runtime.MalformedHandlerName", `Bad handler ${spec}`);
  const modPath = spec.slice(0, dot), fnPath = spec.slice(dot + 1);
  const root = process.env.LAMBDA_TASK_ROOT || process.cwd();
  let mod = null;
  for (const ext of [".mjs", ".js", ".cjs"]) {
    const file = path.resolve(root, modPath + ext);
    if (!fs.existsSync(file)) continue;
    if (ext === ".cjs" || (ext === ".js" && !isModule(root, file))) mod = createRequire(file)(file);
    else mod = await import(pathToFileURL(file).href);
    break;
  }
  if (mod === null) {
    throw new InitError("Runtime.ImportModuleError", `Error: Cannot find module '${modPath}'`);
  }
  let fn = mod;
  for (const part of fnPath.split(".")) fn = fn == null ? undefined : fn[part];
  if (typeof fn !== "function" && mod.default) {
    fn = mod.default;
    for (const part of fnPath.split(".")) fn = fn == null ? undefined : fn[part];
  }
  if (typeof fn !== "function") {
    throw new InitError("Runtime.HandlerNotFound", `${modPath}.${fnPath} is undefined or not exported`);
  }
  return fn;
}

// A .js file is an ES module when the nearest package.json says "type": "module".
function isModule(root, file) {
  for (let dir = path.dirname(file); dir.startsWith(root); dir = path.dirname(dir)) {
    const pj = path.join(dir, "package.json");
    if (fs.existsSync(pj)) {
      try { return JSON.parse(fs.readFileSync(pj, "utf8")).type === "module"; } catch { return false; }
    }
    if (dir === root) break;
  }
  return false;
}

function contextOf(h) {
  const deadline = Number(h["lambda-runtime-deadline-ms"] || 0);
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: h["lambda-runtime-invoked-function-arn"],
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: h["lambda-runtime-aws-request-id"],
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: h["lambda-runtime-client-context"] ? JSON.parse(h["lambda-runtime-client-context"]) : undefined,
    identity: h["lambda-runtime-cognito-identity"] ? JSON.parse(h["lambda-runtime-cognito-identity"]) : undefined,
    getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
  };
}

function run(handler, event, context) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const callback = (err, result) => {
      if (settled) return;
      settled = true;
      if (err) reject(err);
      else resolve(result);
    };
    try {
      const r = handler(event, context, callback);
      if (r && typeof r.then === "function") r.then((v) => callback(null, v), (e) => callback(e));
      else if (handler.length < 3) callback(null, r);
    } catch (e) {
      callback(e);
    }
  });
}

async function main() {
  let handler;
  try {
    handler = await loadHandler();
  } catch (e) {
    const err = errorOf(e);
    console.error(`${err.errorType}: ${err.errorMessage}`);
    await post("/init/error", err, err.errorType);
    process.exit(1);
  }
  for (;;) {
    let next;
    try {
      next = await request("GET", "/invocation/next");
    } catch {
      process.exit(0); // the endpoint is gone: this instance is being stopped
    }
    if (next.status !== 200) process.exit(0);
    const context = contextOf(next.headers);
    const id = context.awsRequestId;
    process.env._X_AMZN_TRACE_ID = next.headers["lambda-runtime-trace-id"] || "";
    let result;
    try {
      const event = next.body.length ? JSON.parse(next.body.toString("utf8")) : {};
      result = await run(handler, event, context);
    } catch (e) {
      const err = errorOf(e);
      console.error(`${id}\tERROR\tInvoke Error \t${JSON.stringify(err)}`);
      await post(`/invocation/${id}/error`, err, err.errorType);
      continue;
    }
    await post(`/invocation/${id}/response`, result === undefined ? "null" : JSON.stringify(result));
  }
}

main();
