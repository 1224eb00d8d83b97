package dev.pipeline.rpc;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Java overloads of one name, which differ in their number of params (checked at registration). A call picks the
 * overload whose param count equals the number of params given (array length or object member count) and whose
 * names match when given by name; failing that, the overload with the fewest params that accepts the call (its
 * missing params being {@code Optional}).
 */
final class OverloadedMethod implements RpcMethod {
    private final String name;
    private final ReflectiveMethod[] byArity;

    OverloadedMethod(List<ReflectiveMethod> overloads) {
        this.byArity = overloads.stream().sorted(Comparator.comparingInt(ReflectiveMethod::arity))
                .toArray(ReflectiveMethod[]::new);
        this.name = byArity[0].name();
    }

    /** @return the overloads, by their number of params (ascending). */
    List<ReflectiveMethod> overloads() {
        return List.of(byArity);
    }

    /** Interruptible when every overload is. */
    @Override
    public boolean interruptible() {
        for (ReflectiveMethod m : byArity) {
            if (!m.interruptible()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public Object invoke(JsonElement params) throws Throwable {
        return select(params).invoke(params);
    }

    /** Idempotent when every overload is. */
    @Override
    public boolean idempotent() {
        for (ReflectiveMethod m : byArity) {
            if (!m.idempotent()) {
                return false;
            }
        }
        return true;
    }

    ReflectiveMethod select(JsonElement params) {
        int given = params instanceof JsonArray a ? a.size() : params instanceof JsonObject o ? o.size() : 0;
        ReflectiveMethod fallback = null;
        for (ReflectiveMethod m : byArity) {
            if (m.accepts(params)) {
                if (m.arity() == given) {
                    return m;
                }
                if (fallback == null) {
                    fallback = m;
                }
            }
        }
        if (fallback != null) {
            return fallback;
        }
        if (params instanceof JsonObject && Arrays.stream(byArity).noneMatch(ReflectiveMethod::namesPresent)) {
            throw ReflectiveMethod.byPositionOnly(name);
        }
        throw RpcMethod.invalidParams("no overload of method '" + name + "' accepts " + given
                + (params instanceof JsonObject ? " named" : "") + " params (overloads take "
                + Arrays.stream(byArity).map(m -> String.valueOf(m.arity())).collect(Collectors.joining(", "))
                + " params)");
    }
}
