package dev.pipeline.rpc.cli;

import com.google.gson.JsonElement;
import dev.pipeline.rpc.ErrorCodes;
import dev.pipeline.rpc.RpcException;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The built-in service of {@code pipeline serve} (service name {@code demo} by default): something to call without
 * writing code. Its methods, by name or by position:
 * <ul>
 *   <li>{@code echo(value)}: returns {@code value} as it came, any JSON;</li>
 *   <li>{@code add(a, b)}: the exact sum of two numbers;</li>
 *   <li>{@code time()}: the server's clock;</li>
 *   <li>{@code sleep(millis)}: waits (at most a minute), then answers, to try timeouts and graceful shutdown;</li>
 *   <li>{@code fail(message)}: answers with the JSON-RPC error {@value #FAIL_CODE} and {@code message};</li>
 *   <li>{@code log(message)}: prints the message on the server's output (meant for notifications);</li>
 *   <li>{@code logged()}: the last {@value #KEEP} messages given to {@code log}.</li>
 * </ul>
 */
public final class DemoService {
    /** The error code {@link #fail(String)} answers with (an application code, outside the reserved range). */
    public static final int FAIL_CODE = 1;
    static final int KEEP = 100;
    static final long MAX_SLEEP_MILLIS = 60_000;

    private final PrintWriter out;
    private final Deque<String> logged = new ArrayDeque<>();

    /** A demo service that prints {@code log} messages to {@code out}. */
    public DemoService(PrintWriter out) {
        this.out = out;
    }

    /** @return {@code value}, unchanged. */
    public JsonElement echo(JsonElement value) {
        return value;
    }

    /** @return {@code a + b}, exactly. */
    public BigDecimal add(BigDecimal a, BigDecimal b) {
        return a.add(b);
    }

    /** @return the server's time: ISO-8601 and epoch milliseconds. */
    public Map<String, Object> time() {
        Instant now = Instant.now();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("iso", now.toString());
        m.put("epochMillis", now.toEpochMilli());
        return m;
    }

    /** Sleeps {@code millis} (0..60000), then returns how long it slept. */
    public String sleep(long millis) throws InterruptedException {
        if (millis < 0 || millis > MAX_SLEEP_MILLIS) {
            throw new RpcException(ErrorCodes.INVALID_PARAMS, "millis must be 0.." + MAX_SLEEP_MILLIS + ", was "
                    + millis);
        }
        print("[demo] sleep: " + millis + " ms");
        Thread.sleep(millis);
        return "slept " + millis + " ms";
    }

    /** Always fails with error {@value #FAIL_CODE} and {@code message}. */
    public String fail(String message) {
        throw new RpcException(FAIL_CODE, message);
    }

    /** Prints {@code message} on the server's output and keeps it for {@link #logged()}. */
    public void log(String message) {
        synchronized (logged) {
            logged.addLast(message);
            while (logged.size() > KEEP) {
                logged.removeFirst();
            }
        }
        print("[demo] log: " + message);
    }

    private void print(String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }

    /** @return the last messages given to {@link #log(String)}, oldest first. */
    public List<String> logged() {
        synchronized (logged) {
            return new ArrayList<>(logged);
        }
    }
}
