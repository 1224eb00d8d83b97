package dev.pipeline.examples.klass;

/** An item in stock: travels as JSON {@code {"sku":"apple","name":"Apple","quantity":5}}. */
public record Item(String sku, String name, int quantity) {
}
