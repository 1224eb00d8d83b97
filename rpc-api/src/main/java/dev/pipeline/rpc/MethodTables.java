package dev.pipeline.rpc;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** Builds the method tables of exposed objects and checks registration rules. */
final class MethodTables {
    /** Service names: safe in Kafka topic and Redis key names alike. */
    static final Pattern SERVICE_NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");
    static final String RESERVED_PREFIX = "rpc.";
    static final int MAX_METHOD_NAME = 200;

    private MethodTables() {
    }

    static void checkServiceName(String service) {
        Objects.requireNonNull(service, "service");
        if (!SERVICE_NAME.matcher(service).matches()) {
            throw new IllegalArgumentException("invalid service name '" + RpcMethod.clip(service)
                    + "': use 1 to 100 of the characters A-Z a-z 0-9 . _ -");
        }
    }

    static void checkMethodName(String service, String method) {
        Objects.requireNonNull(method, "method");
        if (method.isEmpty() || method.length() > MAX_METHOD_NAME) {
            throw new IllegalArgumentException("invalid method name '" + RpcMethod.clip(method) + "' in service '"
                    + service + "': must be 1 to " + MAX_METHOD_NAME + " characters");
        }
        if (method.startsWith(RESERVED_PREFIX)) {
            throw new IllegalArgumentException("method name '" + RpcMethod.clip(method) + "' in service '" + service
                    + "' is reserved: names beginning with 'rpc.' belong to JSON-RPC itself");
        }
        if (!isIdentifier(method)) {
            throw new IllegalArgumentException("invalid method name '" + RpcMethod.clip(method) + "' in service '"
                    + service + "': must be a Java identifier (letters, digits, _ and $; no dots, spaces or"
                    + " other characters)");
        }
    }

    /**
     * @return whether {@code name} is a Java identifier without ignorable characters. Only such names are ever
     * registered, so a request naming anything else (a dot, a space, {@code rpc.} in any case) finds no method:
     * lookup is exact and case-sensitive on the raw name.
     */
    static boolean isIdentifier(String name) {
        if (name.isEmpty() || !Character.isJavaIdentifierStart(name.codePointAt(0))) {
            return false;
        }
        for (int i = 0; i < name.length(); ) {
            int c = name.codePointAt(i);
            if (!Character.isJavaIdentifierPart(c) || Character.isIdentifierIgnorable(c)) {
                return false;
            }
            i += Character.charCount(c);
        }
        return true;
    }

    /**
     * The methods of {@code target}: the public instance methods its class declares, or with {@code inherited} every
     * public instance method of the class (declared by it, inherited from its superclasses or a default method of
     * its interfaces); never {@code Object}'s methods or overrides of them ({@code equals}, {@code hashCode},
     * {@code toString}), a {@code close()} without params, static, synthetic or bridge methods.
     */
    static Map<String, RpcMethod> ofObject(String service, Object target, boolean inherited) {
        Objects.requireNonNull(target, "target");
        List<Method> methods = new ArrayList<>();
        for (Method m : inherited ? target.getClass().getMethods() : target.getClass().getDeclaredMethods()) {
            if (Modifier.isPublic(m.getModifiers()) && exposable(m) && !isClose(m)) {
                methods.add(m);
            }
        }
        if (methods.isEmpty()) {
            throw new IllegalArgumentException("service '" + service + "': " + target.getClass().getName()
                    + " has no public instance methods to expose");
        }
        return table(service, target, methods);
    }

    /**
     * Exactly the methods of interface {@code iface} (and its superinterfaces), invoked on {@code target}; the
     * {@code close()} of {@code AutoCloseable} or {@code Closeable} only when {@code iface} declares it again itself.
     */
    static Map<String, RpcMethod> ofInterface(String service, Class<?> iface, Object target) {
        Objects.requireNonNull(iface, "iface");
        Objects.requireNonNull(target, "target");
        if (!iface.isInterface()) {
            throw new IllegalArgumentException("service '" + service + "': " + iface.getName()
                    + " is not an interface");
        }
        if (!iface.isInstance(target)) {
            throw new IllegalArgumentException("service '" + service + "': " + target.getClass().getName()
                    + " does not implement " + iface.getName());
        }
        List<Method> methods = new ArrayList<>();
        for (Method m : iface.getMethods()) {
            if (exposable(m) && m.getDeclaringClass() != AutoCloseable.class
                    && m.getDeclaringClass() != java.io.Closeable.class) {
                methods.add(m);
            }
        }
        if (methods.isEmpty()) {
            throw new IllegalArgumentException("service '" + service + "': interface " + iface.getName()
                    + " has no methods to expose");
        }
        return table(service, target, methods);
    }

    private static boolean exposable(Method m) {
        return !Modifier.isStatic(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()
                && m.getDeclaringClass() != Object.class && !overridesObjectMethod(m);
    }

    private static boolean isClose(Method m) {
        return m.getName().equals("close") && m.getParameterCount() == 0;
    }

    private static boolean overridesObjectMethod(Method m) {
        try {
            Object.class.getDeclaredMethod(m.getName(), m.getParameterTypes());
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    /** Groups overloads; two overloads of one name with the same number of params are rejected. */
    private static Map<String, RpcMethod> table(String service, Object target, List<Method> methods) {
        Map<String, List<ReflectiveMethod>> byName = new TreeMap<>();
        for (Method m : methods) {
            checkMethodName(service, m.getName());
            byName.computeIfAbsent(m.getName(), k -> new ArrayList<>()).add(new ReflectiveMethod(target, m));
        }
        Map<String, RpcMethod> table = new LinkedHashMap<>();
        for (Map.Entry<String, List<ReflectiveMethod>> e : byName.entrySet()) {
            List<ReflectiveMethod> overloads = e.getValue();
            overloads.sort(Comparator.comparingInt(ReflectiveMethod::arity)
                    .thenComparing(ReflectiveMethod::signature));
            for (int i = 1; i < overloads.size(); i++) {
                if (overloads.get(i).arity() == overloads.get(i - 1).arity()) {
                    throw new IllegalArgumentException("service '" + service + "': ambiguous overloads "
                            + overloads.get(i - 1).signature() + " and " + overloads.get(i).signature()
                            + " both take " + overloads.get(i).arity()
                            + " params; overloads must differ in their number of params");
                }
            }
            table.put(e.getKey(), overloads.size() == 1 ? overloads.get(0) : new OverloadedMethod(overloads));
        }
        return table;
    }
}
