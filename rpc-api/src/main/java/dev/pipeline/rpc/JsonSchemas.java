package dev.pipeline.rpc;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.annotations.SerializedName;

import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;

/**
 * JSON Schemas (draft-07) of Java types as the codec ({@link dev.pipeline.rpc.json.Codec}, Gson) writes and reads
 * them. Enums, records and other classes become named schemas under {@code #/components/schemas/} and are referred
 * to with {@code $ref}, so nested and recursive types are described once. One instance collects the components of
 * one document; not thread-safe.
 *
 * <ul>
 *   <li>Integral types and {@link BigInteger}: {@code integer} (with the type's bounds); floating types and
 *       {@link BigDecimal}: {@code number}; {@code boolean}; {@code String}, {@code char}: {@code string}.</li>
 *   <li>Enums: a {@code string} with the constants' names (or their {@link SerializedName}).</li>
 *   <li>Arrays and collections: {@code array} of the element's schema ({@code uniqueItems} for sets); maps: an
 *       {@code object} whose {@code additionalProperties} is the value's schema (JSON keys are strings).</li>
 *   <li>{@link Optional}{@code <T>}: the schema of {@code T} or {@code null}; asynchronous results
 *       ({@link CompletionStage}, {@link Future}): the schema of their value.</li>
 *   <li>Records: an {@code object} of their components, each required unless it is an {@code Optional}; other
 *       classes: an {@code object} of their fields (not static, not transient, those of superclasses included),
 *       the primitive ones required.</li>
 *   <li>Anything else ({@code Object}, {@code JsonElement}, type variables, JDK types Gson has no adapter for):
 *       the empty schema, which allows any value.</li>
 * </ul>
 */
final class JsonSchemas {
    static final String COMPONENTS = "#/components/schemas/";

    private final Map<String, JsonObject> components = new TreeMap<>();
    /** Component names by {@link #key} of their type. */
    private final Map<String, String> named = new HashMap<>();
    /** How deep a type may unfold before it is described as any value. */
    private static final int MAX_DEPTH = 48;
    private int depth;

    /** @return the schema of {@code type}; named types are added to {@link #components()}. */
    JsonObject schema(Type type) {
        return schema(type, Map.of());
    }

    /** @return the named schemas collected so far, by name. */
    Map<String, JsonObject> components() {
        return components;
    }

    private JsonObject schema(Type type, Map<TypeVariable<?>, Type> bindings) {
        if (depth >= MAX_DEPTH) {
            return any(); // a type that only grows as it unfolds, e.g. a field Node<List<T>> in Node<T>
        }
        depth++;
        try {
            return unfold(type, bindings);
        } finally {
            depth--;
        }
    }

    private JsonObject unfold(Type type, Map<TypeVariable<?>, Type> bindings) {
        if (type instanceof TypeVariable<?> v) {
            Type bound = bindings.get(v);
            return bound == null ? any() : schema(bound, Map.of());
        }
        if (type instanceof WildcardType w) {
            return w.getLowerBounds().length > 0 ? any() : schema(w.getUpperBounds()[0], bindings);
        }
        if (type instanceof GenericArrayType a) {
            return array(schema(bind(a.getGenericComponentType(), bindings), Map.of()), false);
        }
        if (type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> raw) {
            Type[] args = p.getActualTypeArguments().clone();
            for (int i = 0; i < args.length; i++) {
                args[i] = bind(args[i], bindings);
            }
            return parameterized(raw, args, p);
        }
        if (type instanceof Class<?> c) {
            return plain(c);
        }
        return any();
    }

    /** {@code t} with the type variables {@code bindings} gives replaced, also inside type arguments and arrays. */
    private static Type bind(Type t, Map<TypeVariable<?>, Type> bindings) {
        if (bindings.isEmpty()) {
            return t;
        }
        if (t instanceof TypeVariable<?> v) {
            return bindings.getOrDefault(v, v);
        }
        if (t instanceof ParameterizedType p && p.getRawType() instanceof Class<?> raw) {
            Type[] args = p.getActualTypeArguments().clone();
            boolean changed = false;
            for (int i = 0; i < args.length; i++) {
                Type b = bind(args[i], bindings);
                changed |= b != args[i];
                args[i] = b;
            }
            if (!changed) {
                return t;
            }
            try {
                return com.google.gson.reflect.TypeToken.getParameterized(raw, args).getType();
            } catch (IllegalArgumentException e) {
                return t;
            }
        }
        if (t instanceof GenericArrayType a) {
            Type c = bind(a.getGenericComponentType(), bindings);
            return c == a.getGenericComponentType() ? t : com.google.gson.reflect.TypeToken.getArray(c).getType();
        }
        return t;
    }

    private JsonObject parameterized(Class<?> raw, Type[] args, ParameterizedType original) {
        if (raw == Optional.class) {
            return nullable(schema(args[0]));
        }
        if (CompletionStage.class.isAssignableFrom(raw) || Future.class.isAssignableFrom(raw)) {
            return schema(args[0]);
        }
        if (Collection.class.isAssignableFrom(raw) || raw == Iterable.class) {
            return array(schema(args.length == 1 ? args[0] : Object.class), Set.class.isAssignableFrom(raw));
        }
        if (Map.class.isAssignableFrom(raw)) {
            JsonObject s = type("object");
            if (args.length == 2) {
                s.add("additionalProperties", schema(args[1]));
                if (args[0] instanceof Class<?> key && key.isEnum()) {
                    JsonObject names = new JsonObject();
                    names.add("enum", enumNames(key));
                    s.add("propertyNames", names);
                }
            }
            return s;
        }
        if (!describable(raw)) {
            return plain(raw);
        }
        Map<TypeVariable<?>, Type> bindings = new HashMap<>();
        TypeVariable<?>[] vars = raw.getTypeParameters();
        for (int i = 0; i < vars.length && i < args.length; i++) {
            bindings.put(vars[i], args[i]);
        }
        return object(original, raw, bindings, name(original));
    }

    private JsonObject plain(Class<?> c) {
        if (c == void.class || c == Void.class) {
            return type("null");
        }
        if (c == boolean.class || c == Boolean.class || c == java.util.concurrent.atomic.AtomicBoolean.class) {
            return type("boolean");
        }
        if (c == byte.class || c == Byte.class) {
            return integer(Byte.MIN_VALUE, Byte.MAX_VALUE);
        }
        if (c == short.class || c == Short.class) {
            return integer(Short.MIN_VALUE, Short.MAX_VALUE);
        }
        if (c == int.class || c == Integer.class || c == java.util.concurrent.atomic.AtomicInteger.class) {
            return integer(Integer.MIN_VALUE, Integer.MAX_VALUE);
        }
        if (c == long.class || c == Long.class || c == java.util.concurrent.atomic.AtomicLong.class) {
            return integer(Long.MIN_VALUE, Long.MAX_VALUE);
        }
        if (c == BigInteger.class) {
            return type("integer");
        }
        if (c == float.class || c == Float.class || c == double.class || c == Double.class || c == BigDecimal.class
                || c == Number.class) {
            return type("number");
        }
        if (c == char.class || c == Character.class) {
            JsonObject s = type("string");
            s.addProperty("minLength", 1);
            s.addProperty("maxLength", 1);
            return s;
        }
        if (c == String.class || c == CharSequence.class || c == StringBuilder.class || c == StringBuffer.class
                || c == java.util.Locale.class || c == java.util.Currency.class) {
            return type("string");
        }
        if (c == java.util.UUID.class) {
            return format("uuid");
        }
        if (c == java.net.URI.class) {
            return format("uri-reference");
        }
        if (c == java.net.URL.class) {
            return format("uri");
        }
        if (c == com.google.gson.JsonObject.class) {
            return type("object");
        }
        if (c == com.google.gson.JsonArray.class) {
            return array(any(), false);
        }
        if (c.isArray()) {
            return array(schema(c.getComponentType()), false);
        }
        if (Collection.class.isAssignableFrom(c) || c == Iterable.class) {
            return array(any(), Set.class.isAssignableFrom(c));
        }
        if (Map.class.isAssignableFrom(c)) {
            return type("object");
        }
        if (c.isEnum()) {
            return ref(c, () -> {
                JsonObject s = type("string");
                s.add("enum", enumNames(c));
                return s;
            });
        }
        if (!describable(c)) {
            return any();
        }
        return object(c, c, Map.of(), name(c));
    }

    /** Whether {@code c} is a class whose fields Gson reads and writes: not a JDK or Gson type, interface or abstract. */
    private static boolean describable(Class<?> c) {
        String n = c.getName();
        return !c.isPrimitive() && !c.isInterface() && !Modifier.isAbstract(c.getModifiers()) && !c.isArray()
                && !n.startsWith("java.") && !n.startsWith("javax.") && !n.startsWith("jdk.")
                && !n.startsWith("sun.") && !n.startsWith("com.google.gson.") && c != Object.class;
    }

    private JsonObject object(Type type, Class<?> raw, Map<TypeVariable<?>, Type> bindings, String name) {
        String key = key(type);
        String existing = named.get(key);
        if (existing != null) {
            return refTo(existing);
        }
        String unique = unique(name, type);
        named.put(key, unique);
        components.put(unique, new JsonObject()); // a placeholder while the fields are described: cycles end here
        JsonObject s = type("object");
        JsonObject properties = new JsonObject();
        JsonArray required = new JsonArray();
        if (raw.isRecord()) {
            for (RecordComponent rc : raw.getRecordComponents()) {
                String field = fieldName(raw, rc.getName());
                Type t = rc.getGenericType();
                properties.add(field, schema(bind(t, bindings), Map.of()));
                if (rc.getType() != Optional.class) {
                    required.add(field);
                }
            }
        } else {
            Set<String> seen = new LinkedHashSet<>();
            Class<?> c = raw;
            Map<TypeVariable<?>, Type> b = bindings;
            while (c != null && c != Object.class) {
                for (Field f : c.getDeclaredFields()) {
                    int m = f.getModifiers();
                    if (Modifier.isStatic(m) || Modifier.isTransient(m) || f.isSynthetic()) {
                        continue;
                    }
                    SerializedName sn = f.getAnnotation(SerializedName.class);
                    String field = sn != null ? sn.value() : f.getName();
                    if (!seen.add(field)) {
                        continue;
                    }
                    properties.add(field, schema(bind(f.getGenericType(), b), Map.of()));
                    if (f.getType().isPrimitive()) {
                        required.add(field);
                    }
                }
                Type sup = c.getGenericSuperclass();
                Map<TypeVariable<?>, Type> next = new HashMap<>();
                if (sup instanceof ParameterizedType p && p.getRawType() instanceof Class<?> supRaw) {
                    TypeVariable<?>[] vars = supRaw.getTypeParameters();
                    Type[] args = p.getActualTypeArguments();
                    for (int i = 0; i < vars.length; i++) {
                        next.put(vars[i], bind(args[i], b));
                    }
                }
                b = next;
                c = c.getSuperclass();
                if (c != null && !describable(c)) {
                    break;
                }
            }
        }
        s.add("properties", properties);
        if (!required.isEmpty()) {
            s.add("required", required);
        }
        components.put(unique, s);
        return refTo(unique);
    }

    private static String fieldName(Class<?> record, String component) {
        try {
            SerializedName sn = record.getDeclaredField(component).getAnnotation(SerializedName.class);
            return sn != null ? sn.value() : component;
        } catch (NoSuchFieldException e) {
            return component;
        }
    }

    private JsonObject ref(Class<?> c, java.util.function.Supplier<JsonObject> build) {
        String existing = named.get(key(c));
        if (existing != null) {
            return refTo(existing);
        }
        String unique = unique(name(c), c);
        named.put(key(c), unique);
        components.put(unique, build.get());
        return refTo(unique);
    }

    /** {@code name}, or when another type has it already its Java name, then with a number. */
    private String unique(String name, Type type) {
        if (!components.containsKey(name)) {
            return name;
        }
        String qualified = type instanceof Class<?> c ? c.getName().replace('$', '.') : name;
        String candidate = qualified;
        for (int i = 2; components.containsKey(candidate); i++) {
            candidate = qualified + "_" + i;
        }
        return candidate;
    }

    /**
     * The identity of a type, the same for equal types whatever made them (the JDK's reflection or Gson's
     * {@code TypeToken}, whose {@code ParameterizedType}s do not always compare equal).
     */
    private static String key(Type t) {
        if (t instanceof Class<?> c) {
            return c.getName();
        }
        if (t instanceof ParameterizedType p) {
            return key(p.getRawType()) + java.util.Arrays.stream(p.getActualTypeArguments()).map(JsonSchemas::key)
                    .collect(Collectors.joining(",", "<", ">"));
        }
        if (t instanceof GenericArrayType a) {
            return key(a.getGenericComponentType()) + "[]";
        }
        return t.getTypeName();
    }

    /** A readable name: the simple class name, with type arguments as {@code PageOfItem}. */
    private static String name(Type t) {
        if (t instanceof Class<?> c) {
            return c.isArray() ? name(c.getComponentType()) + "Array" : c.getSimpleName();
        }
        if (t instanceof ParameterizedType p) {
            return name(p.getRawType()) + "Of" + java.util.Arrays.stream(p.getActualTypeArguments())
                    .map(JsonSchemas::name).collect(Collectors.joining("And"));
        }
        if (t instanceof GenericArrayType a) {
            return name(a.getGenericComponentType()) + "Array";
        }
        return "Any";
    }

    private static JsonArray enumNames(Class<?> e) {
        JsonArray names = new JsonArray();
        for (Object constant : e.getEnumConstants()) {
            String n = ((Enum<?>) constant).name();
            try {
                SerializedName sn = e.getField(n).getAnnotation(SerializedName.class);
                names.add(sn != null ? sn.value() : n);
            } catch (NoSuchFieldException ex) {
                names.add(n);
            }
        }
        return names;
    }

    static JsonObject refTo(String name) {
        JsonObject s = new JsonObject();
        s.addProperty("$ref", COMPONENTS + name);
        return s;
    }

    static JsonObject any() {
        return new JsonObject();
    }

    static JsonObject type(String type) {
        JsonObject s = new JsonObject();
        s.addProperty("type", type);
        return s;
    }

    private static JsonObject format(String format) {
        JsonObject s = type("string");
        s.addProperty("format", format);
        return s;
    }

    private static JsonObject integer(long min, long max) {
        JsonObject s = type("integer");
        s.addProperty("minimum", min);
        s.addProperty("maximum", max);
        return s;
    }

    private static JsonObject array(JsonObject items, boolean unique) {
        JsonObject s = type("array");
        s.add("items", items);
        if (unique) {
            s.addProperty("uniqueItems", true);
        }
        return s;
    }

    /** {@code schema} or null. */
    static JsonObject nullable(JsonObject schema) {
        if (schema.size() == 0) {
            return schema; // already allows null
        }
        JsonObject s = new JsonObject();
        JsonArray anyOf = new JsonArray();
        anyOf.add(schema);
        anyOf.add(type("null"));
        s.add("anyOf", anyOf);
        return s;
    }

    /** The schemas of {@code schemas} without repeats: one schema, or their {@code oneOf}. */
    static JsonObject either(List<JsonObject> schemas) {
        List<JsonElement> distinct = new ArrayList<>(new LinkedHashSet<>(schemas));
        if (distinct.size() == 1) {
            return distinct.get(0).getAsJsonObject();
        }
        if (distinct.stream().anyMatch(s -> s.getAsJsonObject().size() == 0)) {
            return any();
        }
        JsonObject s = new JsonObject();
        JsonArray anyOf = new JsonArray();
        distinct.forEach(anyOf::add);
        s.add("anyOf", anyOf);
        return s;
    }
}
