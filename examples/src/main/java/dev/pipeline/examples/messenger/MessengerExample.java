package dev.pipeline.examples.messenger;

import dev.pipeline.examples.ExampleBroker;
import dev.pipeline.rpc.Rpc;
import dev.pipeline.rpc.RpcClient;
import dev.pipeline.rpc.RpcServer;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The messenger example in one run, on one broker (a local Kafka broker unless the first argument names one: a URI,
 * {@code kafka} or {@code redis}): the messenger service, and the inboxes of alice and bob, each a server of its own
 * as separate applications would be. Alice and bob send messages through the messenger; each recipient's inbox is
 * notified and prints the message; then the history is read back. Prints what happens and exits 0.
 *
 * <pre>
 * ./mvnw -q -pl examples -am process-classes -Dexample=dev.pipeline.examples.messenger.MessengerExample
 * ./pipeline example messenger
 * </pre>
 */
public final class MessengerExample {
    private MessengerExample() {
    }

    public static void main(String[] args) throws InterruptedException {
        List<Message> conversation = List.of(
                Message.now("alice", "bob", "Hi Bob! Lunch at noon?"),
                Message.now("bob", "alice", "Sure, see you at noon."),
                Message.now("alice", "bob", "Great!"));
        CountDownLatch delivered = new CountDownLatch(conversation.size());
        try (ExampleBroker broker = ExampleBroker.fromArgs(args, "kafka")) {
            System.out.println("broker: " + broker);
            try (RpcClient forwarder = Rpc.client(broker.uri());
                 RpcServer messengerApp = Rpc.server(broker.uri());
                 RpcServer aliceApp = Rpc.server(broker.uri());
                 RpcServer bobApp = Rpc.server(broker.uri());
                 RpcClient client = Rpc.client(broker.uri())) {
                messengerApp.expose(Messenger.SERVICE, Messenger.class, new MessengerService(forwarder)).start();
                aliceApp.expose(Messenger.inboxOf("alice"), new Inbox("alice", m -> delivered.countDown())).start();
                bobApp.expose(Messenger.inboxOf("bob"), new Inbox("bob", m -> delivered.countDown())).start();
                System.out.println("serving " + Messenger.SERVICE + ", " + Messenger.inboxOf("alice") + " and "
                        + Messenger.inboxOf("bob"));

                Messenger messenger = client.proxy(Messenger.class, Messenger.SERVICE);
                for (Message m : conversation) {
                    Receipt receipt = messenger.send(m);
                    System.out.println("sent #" + receipt.id() + ": " + m.sender() + " -> " + m.recipient());
                }
                if (!delivered.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException((conversation.size() - delivered.getCount()) + " of "
                            + conversation.size() + " messages were delivered within 60 s");
                }
                System.out.println("bob's history:");
                for (Message m : messenger.history("bob")) {
                    System.out.println("  " + m.display());
                }
                System.out.println("messenger example done: " + conversation.size() + " messages delivered");
            }
        }
    }
}
