package dev.pipeline.examples.simple;

import dev.pipeline.rpc.Rpc;
import dev.pipeline.rpc.RpcClient;

import java.util.List;

/**
 * The sender of the simple example: calls {@code simple.echo} with each message and prints the replies.
 * Arguments: {@code <broker URI> [message...]}.
 */
public final class EchoSender {
    private EchoSender() {
    }

    /** Sends each message to {@code simple.echo} and prints the reply; @return how many replies matched. */
    public static int send(RpcClient client, List<String> messages) {
        int ok = 0;
        for (String message : messages) {
            System.out.println("sender -> echo(\"" + message + "\")");
            String reply = client.call(EchoReceiver.SERVICE, "echo", String.class, message);
            System.out.println("sender <- \"" + reply + "\"");
            if (message.equals(reply)) {
                ok++;
            }
        }
        return ok;
    }

    public static void main(String[] args) {
        if (args.length < 1 || !args[0].contains("://")) {
            System.err.println("usage: EchoSender <broker URI> [message...]");
            System.exit(2);
        }
        List<String> messages = args.length > 1 ? List.of(args).subList(1, args.length) : List.of("hello");
        try (RpcClient client = Rpc.client(args[0])) {
            send(client, messages);
        }
    }
}
