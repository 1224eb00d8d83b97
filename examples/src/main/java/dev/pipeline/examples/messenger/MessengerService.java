package dev.pipeline.examples.messenger;

import dev.pipeline.rpc.ErrorCodes;
import dev.pipeline.rpc.RpcClient;
import dev.pipeline.rpc.RpcException;

import java.util.ArrayList;
import java.util.List;

/**
 * The messenger service: keeps every message and notifies the recipient's inbox. Its own {@link RpcClient} sends the
 * notifications, so a message is forwarded once the broker has accepted the notification.
 */
public final class MessengerService implements Messenger {
    private final RpcClient forwarder;
    private final List<Message> log = new ArrayList<>();

    /** A messenger forwarding through {@code forwarder}. */
    public MessengerService(RpcClient forwarder) {
        this.forwarder = forwarder;
    }

    @Override
    public Receipt send(Message message) {
        if (message == null || blank(message.sender()) || blank(message.recipient()) || blank(message.text())) {
            throw new RpcException(ErrorCodes.INVALID_PARAMS, "a message needs a sender, a recipient and a text");
        }
        if (!message.recipient().matches("[A-Za-z0-9_-]{1,50}")) {
            throw new RpcException(ErrorCodes.INVALID_PARAMS, "recipient must be 1-50 of [A-Za-z0-9_-]");
        }
        Message stamped = message.timestamp() > 0 ? message : message.stamped(System.currentTimeMillis());
        long id;
        synchronized (log) {
            log.add(stamped);
            id = log.size();
        }
        forwarder.notify(Messenger.inboxOf(stamped.recipient()), "deliver", stamped);
        return new Receipt(id, stamped.timestamp());
    }

    @Override
    public List<Message> history(String user) {
        synchronized (log) {
            return log.stream().filter(m -> m.sender().equals(user) || m.recipient().equals(user)).toList();
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
