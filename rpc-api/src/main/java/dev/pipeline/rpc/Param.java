package dev.pipeline.rpc;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The name under which a parameter of an exposed method is given in a by-name call ({@code "params": {"a": 1}}).
 *
 * <p>Without it, a by-name call binds by the parameter names that {@code javac -parameters} compiles into the class
 * (Maven: {@code <parameters>true</parameters>} in the compiler plugin's configuration; Gradle:
 * {@code options.compilerArgs << "-parameters"}). A class compiled without them takes params by position only, and a
 * by-name call is answered with -32602 Invalid params saying so. With {@code @Param} the names are part of the code
 * and hold whatever the compiler flags:
 *
 * <pre>{@code
 * public int add(@Param("a") int a, @Param("b") int b) { return a + b; }
 * }</pre>
 *
 * <p>The annotation is read on the exposed method, or else on the method it implements or overrides (an interface's
 * or a superclass's). A method's names must be unique; name every parameter or none of them.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface Param {
    /** @return the param's name in a by-name call: not blank, unique among the method's params */
    String value();
}
