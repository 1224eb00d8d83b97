package dev.pipeline.examples.messenger;

import dev.pipeline.examples.ExampleBroker;
import dev.pipeline.rpc.Rpc;
import dev.pipeline.rpc.RpcServer;

/** A user's inbox until Ctrl-C: prints each message delivered to it. Arguments: {@code <broker URI> <user>}. */
public final class InboxApp {
    private InboxApp() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 2 || !args[0].contains("://")) {
            System.err.println("usage: InboxApp <broker URI> <user>");
            System.exit(2);
        }
        String user = args[1];
        RpcServer server = Rpc.server(args[0]);
        server.expose(Messenger.inboxOf(user), new Inbox(user, m -> { }));
        server.start();
        System.out.println(user + "'s inbox: serving " + Messenger.inboxOf(user) + "; Ctrl-C stops");
        ExampleBroker.runUntilStopped(server);
    }
}
