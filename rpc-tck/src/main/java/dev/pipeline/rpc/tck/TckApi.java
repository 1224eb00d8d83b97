package dev.pipeline.rpc.tck;

import java.util.concurrent.CompletableFuture;

/**
 * The service the semantics suite exposes and calls through a typed proxy. Public only because the core invokes it
 * reflectively and builds proxies of it; not meant for other use.
 */
public interface TckApi {
    /** A point, to check structured params and results. */
    record Point(int x, int y) {
    }

    /** @return a + b */
    int add(int a, int b);

    /** @return minuend - subtrahend (the JSON-RPC specification's example, by position or by name) */
    int subtract(int minuend, int subtrahend);

    /** @return text, unchanged */
    String echo(String text);

    /** @return the point moved by (dx, dy) */
    Point move(Point p, int dx, int dy);

    /** @return a + b, asynchronously */
    CompletableFuture<Integer> addAsync(int a, int b);

    /** @return text, asynchronously */
    CompletableFuture<String> echoAsync(String text);

    /** Records {@code token}; called as a notification. */
    void record(String token);

    /** Throws an {@link IllegalStateException} with {@code message}. */
    String fail(String message);

    /** Throws a checked exception with {@code message}. */
    String failChecked(String message) throws Exception;

    /** Returns a future failed with an {@link IllegalStateException}. */
    CompletableFuture<String> failAsync(String message);

    /** Throws an {@code RpcException} with {@code code}, {@code message} and data {@code {"detail": message}}. */
    String failWith(int code, String message);
}
