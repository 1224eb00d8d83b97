package dev.pipeline.examples.simple;

import dev.pipeline.examples.ExampleBroker;
import dev.pipeline.rpc.Rpc;
import dev.pipeline.rpc.RpcClient;
import dev.pipeline.rpc.RpcServer;

import java.util.List;

/**
 * The simple example in one run: an echo receiver and a sender on one broker (a local Kafka broker unless the first
 * argument names one: a URI, {@code kafka} or {@code redis}). Prints what happens and exits 0.
 *
 * <pre>
 * ./mvnw -q -pl examples -am process-classes -Dexample=dev.pipeline.examples.simple.SimpleExample
 * ./pipeline example simple redis
 * </pre>
 */
public final class SimpleExample {
    private SimpleExample() {
    }

    @SuppressWarnings("try") // the receiver only has to be open while the sender runs
    public static void main(String[] args) {
        List<String> messages = List.of("hello", "안녕하세요", "JSON-RPC over a broker");
        try (ExampleBroker broker = ExampleBroker.fromArgs(args, "kafka")) {
            System.out.println("broker: " + broker);
            try (RpcServer receiver = EchoReceiver.start(broker.uri());
                 RpcClient sender = Rpc.client(broker.uri())) {
                System.out.println("receiver: serving " + EchoReceiver.SERVICE + ".echo");
                int ok = EchoSender.send(sender, messages);
                if (ok != messages.size()) {
                    throw new IllegalStateException("only " + ok + " of " + messages.size() + " echoes matched");
                }
                System.out.println("simple example done: " + ok + " echoes");
            }
        }
    }
}
