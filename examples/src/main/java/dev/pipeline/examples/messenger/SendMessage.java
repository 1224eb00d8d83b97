package dev.pipeline.examples.messenger;

import dev.pipeline.rpc.Rpc;
import dev.pipeline.rpc.RpcClient;

/** Sends one message through the messenger. Arguments: {@code <broker URI> <from> <to> <text...>}. */
public final class SendMessage {
    private SendMessage() {
    }

    public static void main(String[] args) {
        if (args.length < 4 || !args[0].contains("://")) {
            System.err.println("usage: SendMessage <broker URI> <from> <to> <text...>");
            System.exit(2);
        }
        String text = String.join(" ", java.util.Arrays.copyOfRange(args, 3, args.length));
        try (RpcClient client = Rpc.client(args[0])) {
            Messenger messenger = client.proxy(Messenger.class, Messenger.SERVICE);
            Receipt receipt = messenger.send(Message.now(args[1], args[2], text));
            System.out.println("sent message #" + receipt.id());
        }
    }
}
