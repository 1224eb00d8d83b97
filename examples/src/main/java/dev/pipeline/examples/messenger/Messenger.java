package dev.pipeline.examples.messenger;

import java.util.List;

/** The contract of the {@code messenger} service. */
public interface Messenger {
    /** Service name. */
    String SERVICE = "messenger";

    /** @return the service name of {@code user}'s inbox, where the messenger delivers: {@code inbox.<user>}. */
    static String inboxOf(String user) {
        return "inbox." + user;
    }

    /**
     * Stores {@code message} and forwards it to the recipient's inbox as a JSON-RPC notification
     * ({@code inbox.<recipient>.deliver(message)}); @return its receipt.
     */
    Receipt send(Message message);

    /** @return the messages sent by or to {@code user}, oldest first. */
    List<Message> history(String user);
}
