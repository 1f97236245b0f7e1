package io.smcontainers.serving.netty;

import io.smcontainers.framework.spi.ModelHandler;
import io.smcontainers.framework.spi.ServingContext;
import io.smcontainers.serving.netty.codec.JsonCodec;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The multi-model endpoint's models (serving contract 1.10): load, list, describe, unload, and lookup for invoke. Starts empty. */
final class ModelRegistry {
    private static final Logger log = LoggerFactory.getLogger(ModelRegistry.class);
    private static final Object LOADING = new Object();

    private final Path root;
    private final ModelHandler<?> handler;
    private final ServingContext context;
    private final Duration unloadTimeout;
    private final int instances;
    private final Metrics metrics;
    private final ConcurrentSkipListMap<String, Object> models = new ConcurrentSkipListMap<>();

    ModelRegistry(
            Path root,
            ModelHandler<?> handler,
            ServingContext context,
            Duration unloadTimeout,
            int instances,
            Metrics metrics) {
        this.instances = instances;
        this.metrics = metrics;
        this.root = root.toAbsolutePath().normalize();
        this.handler = handler;
        this.context = context;
        this.unloadTimeout = unloadTimeout;
    }

    /** An answer: status and JSON body. */
    record Answer(int status, String type, String message, String json) {
        static Answer ok(String json) {
            return new Answer(200, "", "", json);
        }

        static Answer error(int status, String type, String message) {
            return new Answer(status, type, message, "");
        }
    }

    Optional<LoadedModel> get(String name) {
        Object entry = models.get(name);
        return entry instanceof LoadedModel ? Optional.of((LoadedModel) entry) : Optional.empty();
    }

    /** Loads synchronously (blocking: call off the event loop). */
    Answer load(Optional<String> requestedName, Optional<String> url) {
        if (url.isEmpty() || url.get().isBlank()) {
            return Answer.error(400, "BadRequestError", "Parameter url is required.");
        }
        String location = url.get();
        for (String segment : location.split("/")) {
            if (segment.equals("..")) {
                return Answer.error(404, "ModelNotFoundException", "Relative path is not allowed in url: " + location);
            }
        }
        Path path;
        try {
            Path given = Path.of(location);
            path = (given.isAbsolute() ? given : root.resolve(given))
                    .toAbsolutePath()
                    .normalize();
        } catch (InvalidPathException e) {
            return Answer.error(404, "ModelNotFoundException", "Invalid model url: " + location);
        }
        if (!path.startsWith(root) || !Files.exists(path)) {
            return Answer.error(404, "ModelNotFoundException", "Model not found in model store: " + location);
        }
        // Links are followed before the check: a model folder is a folder strictly inside the model store, in fact.
        Path real;
        try {
            Path realRoot = root.toRealPath();
            real = path.toRealPath();
            if (!real.startsWith(realRoot) || real.equals(realRoot)) {
                log.warn(
                        "Refusing to load model url {}: it resolves to {}, which is not a folder inside the model store {}",
                        location,
                        real,
                        realRoot);
                return Answer.error(
                        404,
                        "ModelNotFoundException",
                        "Model not found in model store: " + location + " (a model must be a folder inside " + root
                                + ", links resolved)");
            }
        } catch (java.io.IOException e) {
            return Answer.error(404, "ModelNotFoundException", "Model not found in model store: " + location);
        }
        String name = requestedName
                .filter(value -> !value.isBlank())
                .orElse(
                        path.getFileName() == null
                                ? location
                                : path.getFileName().toString());
        if (models.putIfAbsent(name, LOADING) != null) {
            return Answer.error(409, "ConflictStatusException", "Model " + name + " is already registered.");
        }
        if (handler instanceof PythonHandler python) {
            Optional<String> refusal = python.backend().mmeRefusal(path, instances);
            if (refusal.isPresent()) {
                models.remove(name);
                log.warn("Refusing to load model '{}': {}", name, refusal.get());
                return Answer.error(
                        507,
                        "OutOfMemoryError",
                        "No enough memory to load the model: " + name + " (" + refusal.get() + ")");
            }
        }
        try {
            LoadedModel model = LoadedModel.load(name, location, real, handler, instances, context, metrics);
            models.put(name, model);
            return Answer.ok("{\"status\": \"Workers scaled\"}");
        } catch (OutOfMemoryError e) {
            models.remove(name);
            log.error("Loading model '{}' ran out of memory", name, e);
            return Answer.error(507, "OutOfMemoryError", "No enough memory to load the model: " + name);
        } catch (PythonWorker.PythonLoadException e) {
            models.remove(name);
            log.error("Loading model '{}' from {} failed: {}", name, path, e.getMessage());
            if (e.status == 507) {
                return Answer.error(
                        507, "OutOfMemoryError", "No enough memory to load the model: " + name + " (" + e.detail + ")");
            }
            return Answer.error(500, "ModelLoadException", "Failed to load model " + name + ": " + e.getMessage());
        } catch (Exception | Error e) {
            models.remove(name);
            log.error("Loading model '{}' from {} failed", name, path, e);
            return Answer.error(500, "ModelLoadException", "Failed to load model " + name + ": " + e);
        }
    }

    /** The loaded models (those still loading left out), by name. */
    List<LoadedModel> loaded() {
        List<LoadedModel> loaded = new ArrayList<>();
        for (Object entry : models.values()) {
            if (entry instanceof LoadedModel) {
                loaded.add((LoadedModel) entry);
            }
        }
        return loaded;
    }

    Answer list(Optional<String> limitText, Optional<String> tokenText) {
        int limit = parse(limitText, 100);
        if (limit < 0 || limit > 100) {
            limit = 100;
        }
        int offset = Math.max(0, parse(tokenText, 0));
        List<LoadedModel> loaded = loaded();
        List<Map<String, Object>> page = new ArrayList<>();
        for (int i = offset; i < Math.min(loaded.size(), offset + limit); i++) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("modelName", loaded.get(i).name());
            item.put("modelUrl", loaded.get(i).url());
            page.add(item);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("models", page);
        if (offset + limit < loaded.size()) {
            body.put("nextPageToken", Integer.toString(offset + limit));
        }
        return Answer.ok(JsonCodec.encode(body));
    }

    Answer describe(String name) {
        Optional<LoadedModel> model = get(name);
        if (model.isEmpty()) {
            return Answer.error(404, "ModelNotFoundException", "Model not found: " + name);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("modelName", name);
        body.put("modelUrl", model.get().url());
        body.put("instances", model.get().instanceCount());
        body.put("concurrency", model.get().handler().concurrency().name());
        body.put("loadedAt", model.get().loadedAt().toString());
        return Answer.ok(JsonCodec.encode(body));
    }

    /** Unloads synchronously: stops admitting, waits for in-flight invocations, releases the instances. */
    Answer unload(String name) {
        Object entry = models.get(name);
        if (!(entry instanceof LoadedModel) || !models.remove(name, entry)) {
            return Answer.error(404, "ModelNotFoundException", "Model not found: " + name);
        }
        LoadedModel model = (LoadedModel) entry;
        try {
            boolean drained = model.drain(unloadTimeout);
            model.unloadAll();
            if (!drained) {
                return Answer.error(408, "RequestTimeout", "Timed out while cleaning resources: " + name);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Answer.error(500, "InternalServerException", "Interrupted while cleaning resources: " + name);
        }
        log.info("Unloaded model '{}'", name);
        return Answer.ok(JsonCodec.encode(Map.of("status", "Model \"" + name + "\" unregistered")));
    }

    /** Unloads everything at shutdown. */
    void unloadAll() {
        for (String name : new ArrayList<>(models.keySet())) {
            Object entry = models.remove(name);
            if (entry instanceof LoadedModel) {
                ((LoadedModel) entry).unloadAll();
            }
        }
    }

    private static int parse(Optional<String> text, int fallback) {
        try {
            return text.map(value -> Integer.parseInt(value.strip())).orElse(fallback);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
