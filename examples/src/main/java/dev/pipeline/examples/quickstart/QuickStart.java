package dev.pipeline.examples.quickstart;

import dev.pipeline.rpc.Param;
import dev.pipeline.rpc.Rpc;
import dev.pipeline.rpc.RpcClient;
import dev.pipeline.rpc.RpcServer;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

public class QuickStart {
    /** The service's contract. @Param names the params for by-name calls (or compile with -parameters). */
    public interface Calculator {
        int add(@Param("a") int a, @Param("b") int b);
    }

    /** What the server runs. */
    public static class SimpleCalculator implements Calculator {
        @Override
        public int add(int a, int b) {
            return a + b;
        }
    }

    public static void main(String[] args) {
        String broker = args.length > 0 ? args[0] : "kafka://localhost:9092"; // or redis://localhost:6379

        try (RpcServer server = Rpc.server(broker)) {
            server.expose("calc", Calculator.class, new SimpleCalculator()).start();

            try (RpcClient client = Rpc.client(broker)) {
                int sum = client.call("calc", "add", int.class, 1, 2);                      // by position
                CompletableFuture<Integer> later =
                        client.callNamedAsync("calc", "add", int.class, Map.of("a", 3, "b", 4)); // by name, async
                Calculator calc = client.proxy(Calculator.class, "calc");                    // typed stub

                System.out.println("1 + 2 = " + sum);
                System.out.println("3 + 4 = " + later.join());
                System.out.println("5 + 6 = " + calc.add(5, 6));
            }
        }
    }
}
