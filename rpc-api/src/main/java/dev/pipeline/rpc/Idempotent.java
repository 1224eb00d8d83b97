package dev.pipeline.rpc;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a remote method safe to execute more than once: running it twice with the same params has the same
 * effect as running it once (a read, a put of a value, a delete by key, an operation the callee deduplicates).
 *
 * <p>On a proxy interface ({@link RpcClient#proxy}), on a method or on the interface (then every method of it), it
 * lets the client hedge the call: when no reply came within a delay derived from the service's recent latency, the
 * client sends the same request again so that another server instance can answer it; the first reply completes the
 * call, the other is dropped ({@link ClientConfig#hedging()}). Untyped calls declare the same with
 * {@link RpcClient#idempotent()}. The price is that the method may really run more than once.
 *
 * <p>On a method a server exposes (or on its class, or on the interface it is exposed through), it puts the method in
 * the server's dedup window ({@link ServerConfig#dedupWindow()}): a request delivered again (a hedge, a retry, a
 * redelivery after a crash) is answered with the stored result instead of running the method again. Every attempt
 * of a call carries the same correlation id ({@code rpc-id}) and client id ({@code rpc-client}), which is what the
 * window keys on; each attempt has a JSON-RPC id of its own, so that the reply tells which attempt answered.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Idempotent {
}
