package dev.pipeline.rpc.tck;

import com.google.gson.JsonObject;
import dev.pipeline.rpc.RpcException;

import java.io.IOException;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

/** The semantics suite's service; records what notifications delivered. */
final class TckApiImpl implements TckApi {
    final Queue<String> recorded = new ConcurrentLinkedQueue<>();

    @Override
    public int add(int a, int b) {
        return a + b;
    }

    @Override
    public int subtract(int minuend, int subtrahend) {
        return minuend - subtrahend;
    }

    @Override
    public String echo(String text) {
        return text;
    }

    @Override
    public Point move(Point p, int dx, int dy) {
        return new Point(p.x() + dx, p.y() + dy);
    }

    @Override
    public CompletableFuture<Integer> addAsync(int a, int b) {
        return CompletableFuture.supplyAsync(() -> a + b);
    }

    @Override
    public CompletableFuture<String> echoAsync(String text) {
        return CompletableFuture.supplyAsync(() -> text);
    }

    @Override
    public void record(String token) {
        recorded.add(token);
    }

    @Override
    public String fail(String message) {
        throw new IllegalStateException(message);
    }

    @Override
    public String failChecked(String message) throws Exception {
        throw new IOException(message);
    }

    @Override
    public CompletableFuture<String> failAsync(String message) {
        return CompletableFuture.supplyAsync(() -> {
            throw new IllegalStateException(message);
        });
    }

    @Override
    public String failWith(int code, String message) {
        JsonObject data = new JsonObject();
        data.addProperty("detail", message);
        throw new RpcException(code, message, data);
    }
}
