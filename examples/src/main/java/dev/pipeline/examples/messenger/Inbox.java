package dev.pipeline.examples.messenger;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** A user's inbox, served as {@code inbox.<user>}: the messenger notifies {@link #deliver(Message)}; it prints. */
public final class Inbox {
    private final String user;
    private final List<Message> received = new CopyOnWriteArrayList<>();
    private final Consumer<Message> onMessage;

    /** An inbox for {@code user}; {@code onMessage} runs after each delivery is printed. */
    public Inbox(String user, Consumer<Message> onMessage) {
        this.user = user;
        this.onMessage = onMessage;
    }

    /** Called by the messenger through a notification: no reply is sent. */
    public void deliver(Message message) {
        received.add(message);
        System.out.println("[" + user + "'s inbox] " + message.display());
        onMessage.accept(message);
    }

    /** @return what this inbox received, in order. */
    public List<Message> received() {
        return List.copyOf(received);
    }
}
