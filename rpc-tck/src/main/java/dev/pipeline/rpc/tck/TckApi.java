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

    /**
     * Adds.
     *
     * @param a the first addend
     * @param b the second addend
     * @return a + b
     */
    int add(int a, int b);

    /**
     * Subtracts: the JSON-RPC specification's example, called by position and by name.
     *
     * @param minuend what is subtracted from
     * @param subtrahend what is subtracted
     * @return minuend - subtrahend
     */
    int subtract(int minuend, int subtrahend);

    /**
     * Echoes.
     *
     * @param text any string, including empty and non-ASCII ones
     * @return text, unchanged
     */
    String echo(String text);

    /**
     * Moves a point: a structured param and result.
     *
     * @param p the point
     * @param dx added to x
     * @param dy added to y
     * @return the point moved by (dx, dy)
     */
    Point move(Point p, int dx, int dy);

    /**
     * Adds, completing a future.
     *
     * @param a the first addend
     * @param b the second addend
     * @return a + b, asynchronously
     */
    CompletableFuture<Integer> addAsync(int a, int b);

    /**
     * Echoes, completing a future.
     *
     * @param text any string
     * @return text, asynchronously
     */
    CompletableFuture<String> echoAsync(String text);

    /**
     * Records {@code token}; called as a notification, so that the suite can see it arrived.
     *
     * @param token what to record
     */
    void record(String token);

    /**
     * Throws an {@link IllegalStateException} with {@code message}.
     *
     * @param message the exception's message
     * @return never returns
     */
    String fail(String message);

    /**
     * Throws a checked exception with {@code message}.
     *
     * @param message the exception's message
     * @return never returns
     * @throws Exception always
     */
    String failChecked(String message) throws Exception;

    /**
     * Returns a future failed with an {@link IllegalStateException}.
     *
     * @param message the exception's message
     * @return a failed future
     */
    CompletableFuture<String> failAsync(String message);

    /**
     * Throws an {@code RpcException} with {@code code}, {@code message} and data {@code {"detail": message}}.
     *
     * @param code the error code
     * @param message the error message
     * @return never returns
     */
    String failWith(int code, String message);
}
