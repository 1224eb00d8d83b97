package dev.pipeline.rpc;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.reflect.TypeToken;
import dev.pipeline.rpc.json.Codec;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.util.ArrayList;
import java.util.List;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A Java method exposed as a JSON-RPC method. Params bind by position (a JSON array) or by name (a JSON object,
 * using the names given with {@link Param} or else those compiled in with {@code -parameters}; without either, a
 * by-name call is refused with a message saying how to add them); a missing {@code Optional} param is bound to
 * {@code Optional.empty()}, any other missing param, an extra param or a value that does not convert is
 * {@link ErrorCodes#INVALID_PARAMS}.
 */
final class ReflectiveMethod implements RpcMethod {
    private final Object target;
    private final Method method;
    private final String name;
    private final String[] names;
    private final Type[] types;
    private final boolean[] optional;
    /** Positional params needed: all up to the last one that is not {@code Optional}. */
    private final int minPositional;
    private final boolean namesPresent;
    private final boolean idempotent;
    private final boolean interruptible;

    ReflectiveMethod(Object target, Method method) {
        this.target = target;
        this.method = method;
        this.name = method.getName();
        Parameter[] parameters = method.getParameters();
        this.names = new String[parameters.length];
        this.types = new Type[parameters.length];
        this.optional = new boolean[parameters.length];
        String[] annotated = annotatedNames(method);
        boolean present = true;
        int min = 0;
        for (int i = 0; i < parameters.length; i++) {
            present &= annotated != null || parameters[i].isNamePresent();
            names[i] = annotated != null ? annotated[i] : parameters[i].getName();
            types[i] = resolve(target.getClass(), parameters[i].getParameterizedType());
            optional[i] = parameters[i].getType() == Optional.class;
            if (!optional[i]) {
                min = i + 1;
            }
        }
        this.namesPresent = present;
        this.minPositional = min;
        this.idempotent = declaredIdempotent(target, method);
        this.interruptible = withOverridden(method).stream().anyMatch(m -> m.isAnnotationPresent(Interruptible.class));
        method.trySetAccessible(); // public methods of non-public classes; fails harmlessly in named modules
    }

    /**
     * @return the names {@link Param} gives the params of {@code method} (or of a method it implements or overrides,
     * the first one found that annotates them), or null when none annotates them
     * @throws IllegalArgumentException when only some params are annotated, or a name is blank or used twice
     */
    static String[] annotatedNames(Method method) {
        for (Method m : withOverridden(method)) {
            Parameter[] parameters = m.getParameters();
            String[] names = new String[parameters.length];
            int found = 0;
            for (int i = 0; i < parameters.length; i++) {
                Param p = parameters[i].getAnnotation(Param.class);
                if (p != null) {
                    names[i] = p.value();
                    found++;
                }
            }
            if (found == 0) {
                continue;
            }
            String where = m.getDeclaringClass().getName() + "." + m.getName();
            if (found < names.length) {
                throw new IllegalArgumentException("@Param names some params of " + where
                        + " but not all: name every param or none");
            }
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (String n : names) {
                if (n.isBlank()) {
                    throw new IllegalArgumentException("@Param of " + where + " has a blank name");
                }
                if (!seen.add(n)) {
                    throw new IllegalArgumentException("@Param of " + where + " uses the name '" + n + "' twice");
                }
            }
            return names;
        }
        return null;
    }

    @Override
    public boolean idempotent() {
        return idempotent;
    }

    /**
     * Whether {@link Idempotent} is on {@code method}, on a method it implements or overrides, on the class of one of
     * them, on the target's class, or (for a method of an exposed interface) on the target's implementation of it.
     */
    static boolean declaredIdempotent(Object target, Method method) {
        List<Method> methods = new ArrayList<>(withOverridden(method));
        if (method.getDeclaringClass().isInterface()) {
            try {
                methods.addAll(withOverridden(target.getClass().getMethod(method.getName(),
                        method.getParameterTypes())));
            } catch (NoSuchMethodException e) {
                // a default method the class does not override
            }
        }
        if (target.getClass().isAnnotationPresent(Idempotent.class)) {
            return true;
        }
        for (Method m : methods) {
            if (m.isAnnotationPresent(Idempotent.class) || m.getDeclaringClass().isAnnotationPresent(Idempotent.class)) {
                return true;
            }
        }
        return false;
    }

    /** {@code method}, then the methods of its class's supertypes that it implements or overrides. */
    private static List<Method> withOverridden(Method method) {
        List<Method> out = new ArrayList<>();
        out.add(method);
        java.util.Deque<Class<?>> todo = new java.util.ArrayDeque<>();
        java.util.Set<Class<?>> seen = new java.util.HashSet<>();
        Class<?> declaring = method.getDeclaringClass();
        if (declaring.getSuperclass() != null) {
            todo.add(declaring.getSuperclass());
        }
        todo.addAll(List.of(declaring.getInterfaces()));
        while (!todo.isEmpty()) {
            Class<?> c = todo.poll();
            if (c == Object.class || !seen.add(c)) {
                continue;
            }
            try {
                out.add(c.getDeclaredMethod(method.getName(), method.getParameterTypes()));
            } catch (NoSuchMethodException e) {
                // not declared here
            }
            if (c.getSuperclass() != null) {
                todo.add(c.getSuperclass());
            }
            todo.addAll(List.of(c.getInterfaces()));
        }
        return out;
    }

    /**
     * Resolves type variables against the target's class: {@code put(T item)} of {@code Repo<T>} implemented by
     * {@code ItemRepo implements Repo<Item>} binds an {@code Item}. What cannot be resolved stays as is (Gson then
     * treats a bare type variable as {@code Object}).
     */
    static Type resolve(Class<?> targetClass, Type type) {
        if (type instanceof TypeVariable<?> variable) {
            Type resolved = resolveVariable(targetClass, variable, new java.util.HashSet<>());
            return resolved == null || resolved instanceof TypeVariable<?> ? type : resolve(targetClass, resolved);
        }
        if (type instanceof ParameterizedType parameterized && parameterized.getRawType() instanceof Class<?> raw) {
            Type[] args = parameterized.getActualTypeArguments().clone();
            boolean changed = false;
            for (int i = 0; i < args.length; i++) {
                Type r = resolve(targetClass, args[i]);
                changed |= r != args[i];
                args[i] = r;
            }
            if (!changed) {
                return type;
            }
            try {
                return TypeToken.getParameterized(raw, args).getType();
            } catch (IllegalArgumentException e) {
                return type;
            }
        }
        if (type instanceof GenericArrayType array) {
            Type component = resolve(targetClass, array.getGenericComponentType());
            return component == array.getGenericComponentType() ? type : TypeToken.getArray(component).getType();
        }
        return type;
    }

    /** Finds the actual argument for {@code variable} among the generic supertypes of {@code from}. */
    private static Type resolveVariable(Type from, TypeVariable<?> variable, java.util.Set<Type> seen) {
        if (from == null || !seen.add(from)) {
            return null;
        }
        Class<?> raw = from instanceof Class<?> c ? c
                : from instanceof ParameterizedType p && p.getRawType() instanceof Class<?> c2 ? c2 : null;
        if (raw == null) {
            return null;
        }
        if (raw == variable.getGenericDeclaration() && from instanceof ParameterizedType p) {
            TypeVariable<?>[] params = raw.getTypeParameters();
            for (int i = 0; i < params.length; i++) {
                if (params[i].equals(variable)) {
                    return p.getActualTypeArguments()[i];
                }
            }
        }
        List<Type> supertypes = new ArrayList<>();
        supertypes.add(raw.getGenericSuperclass());
        supertypes.addAll(List.of(raw.getGenericInterfaces()));
        for (Type supertype : supertypes) {
            Type found = resolveVariable(supertype, variable, seen);
            if (found instanceof TypeVariable<?> next && from instanceof ParameterizedType p
                    && next.getGenericDeclaration() == raw) {
                TypeVariable<?>[] params = raw.getTypeParameters();
                for (int i = 0; i < params.length; i++) {
                    if (params[i].equals(next)) {
                        return p.getActualTypeArguments()[i];
                    }
                }
            }
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    String name() {
        return name;
    }

    int arity() {
        return types.length;
    }

    /** @return the name of param {@code i}: its {@link Param} or compiled-in name, else {@code arg<i>}. */
    String paramName(int i) {
        return names[i];
    }

    /** @return the type of param {@code i}, type variables resolved against the target's class. */
    Type paramType(int i) {
        return types[i];
    }

    /** @return whether param {@code i} is an {@code Optional}, so it may be left out. */
    boolean optional(int i) {
        return optional[i];
    }

    /** @return the result's type, type variables resolved against the target's class. */
    Type resultType() {
        return resolve(target.getClass(), method.getGenericReturnType());
    }

    /** @return a readable signature such as {@code add(int, int)}, for registration errors. */
    String signature() {
        return name + Arrays.stream(method.getGenericParameterTypes()).map(Type::getTypeName)
                .collect(Collectors.joining(", ", "(", ")"));
    }

    /** @return whether params of this shape (count, names) can be bound, ignoring their types. */
    boolean accepts(JsonElement params) {
        if (params instanceof JsonObject object) {
            if (!namesPresent) {
                return false;
            }
            for (String key : object.keySet()) {
                if (indexOf(key) < 0) {
                    return false;
                }
            }
            for (int i = 0; i < names.length; i++) {
                if (!optional[i] && !object.has(names[i])) {
                    return false;
                }
            }
            return true;
        }
        int given = params instanceof JsonArray array ? array.size() : 0;
        return given >= minPositional && given <= types.length;
    }

    @Override
    public boolean interruptible() {
        return interruptible;
    }

    @Override
    public Object invoke(JsonElement params) throws Throwable {
        Object[] args = bind(params);
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause() == null ? e : e.getCause();
        }
    }

    Object[] bind(JsonElement params) {
        Object[] args = new Object[types.length];
        if (params instanceof JsonObject object) {
            if (!namesPresent) {
                throw byPositionOnly(name);
            }
            for (Map.Entry<String, JsonElement> e : object.entrySet()) {
                if (indexOf(e.getKey()) < 0) {
                    throw RpcMethod.invalidParams("unknown param '" + RpcMethod.clip(e.getKey()) + "' for method '"
                            + name + "' (its params: " + String.join(", ", names) + ")");
                }
            }
            for (int i = 0; i < types.length; i++) {
                JsonElement value = object.get(names[i]);
                args[i] = value == null ? missing(i) : convert(value, i);
            }
            return args;
        }
        JsonArray array = params instanceof JsonArray a ? a : new JsonArray();
        if (array.size() > types.length) {
            throw RpcMethod.invalidParams("method '" + name + "' takes " + describeCount() + ", got "
                    + array.size());
        }
        for (int i = 0; i < types.length; i++) {
            args[i] = i < array.size() ? convert(array.get(i), i) : missing(i);
        }
        return args;
    }

    /** @return whether by-name calls can bind: every param has a name ({@link Param} or {@code -parameters}). */
    boolean namesPresent() {
        return namesPresent;
    }

    /** The refusal of a by-name call to a method whose param names are unknown, saying how to make them known. */
    static RpcException byPositionOnly(String method) {
        return RpcMethod.invalidParams("method '" + method + "' takes params by position only: its parameter names"
                + " are not in the server's class files (compile the server with -parameters, or name each parameter"
                + " with @Param)");
    }

    private String describeCount() {
        if (minPositional == types.length) {
            return types.length + (types.length == 1 ? " param" : " params");
        }
        return minPositional + " to " + types.length + " params";
    }

    private Object missing(int i) {
        if (optional[i]) {
            return Optional.empty();
        }
        throw RpcMethod.invalidParams("missing " + param(i) + " of method '" + name + "'");
    }

    private Object convert(JsonElement value, int i) {
        try {
            return Codec.fromJson(value, types[i]);
        } catch (RuntimeException e) {
            throw RpcMethod.invalidParams(param(i) + " of method '" + name + "': "
                    + (e instanceof IllegalArgumentException ? e.getMessage() : "invalid value"));
        }
    }

    /** @return "param 'amount'" when the names were compiled in, else "param 0". */
    private String param(int i) {
        return namesPresent ? "param '" + names[i] + "'" : "param " + i;
    }

    private int indexOf(String key) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(key)) {
                return i;
            }
        }
        return -1;
    }
}
