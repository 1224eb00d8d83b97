package dev.pipeline.rpc;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Lets the server interrupt the thread of a running call to this method when its caller cancels the call.
 *
 * <p>A client whose caller cancels a call's future sends an {@code rpc.cancel} notification. A server that has not
 * started the call yet skips it (no handler runs, no reply). One that is running it interrupts the handler's thread
 * only when the method (or a method it implements or overrides) carries this annotation: the method then ends early
 * by the usual means ({@link InterruptedException} from a blocking call, or {@link Thread#isInterrupted()}), and its
 * reply, if any, is dropped by the client. Without it the method runs to its end; it may still poll
 * {@link RpcContext#cancelled()}.
 *
 * <p>The interrupt reaches the handler's thread only while the method runs on it (the flag is cleared when it
 * returns): an asynchronous method's later stages are not interrupted.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Interruptible {
}
