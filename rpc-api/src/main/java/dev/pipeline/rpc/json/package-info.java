/**
 * JSON-RPC 2.0 codec on Gson: bounded parsing, exact numbers, message model and validation.
 *
 * <p><b>Internal.</b> The public classes here are shared by the core's client and server and are not part of
 * Pipeline's API; they may change without notice.
 */
package dev.pipeline.rpc.json;
