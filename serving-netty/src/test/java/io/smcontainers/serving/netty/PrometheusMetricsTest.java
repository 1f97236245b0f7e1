package io.smcontainers.serving.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smcontainers.serving.netty.PrometheusMetrics.Route;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusMetricsTest {
    @Test
    void routesAreTheRoutersPathsWithModelNamesAsTemplates() {
        Map<String, Route> expected = new LinkedHashMap<>();
        expected.put("/invocations", Route.INVOCATIONS);
        expected.put("/invocations/", Route.INVOCATIONS);
        expected.put("/invocations?model_name=a", Route.INVOCATIONS);
        expected.put("/invocationsx", Route.OTHER);
        expected.put("/ping", Route.PING);
        expected.put("/ping?x=1", Route.PING);
        expected.put("/execution-parameters", Route.EXECUTION_PARAMETERS);
        expected.put("/models", Route.MODELS);
        expected.put("/models/", Route.MODELS);
        expected.put("/models?limit=2", Route.MODELS);
        expected.put("/models/resnet", Route.MODEL);
        expected.put("/models/resnet/", Route.MODEL);
        expected.put("/models/resnet/invoke", Route.MODEL_INVOKE);
        expected.put("/models/resnet/invoke?x=y", Route.MODEL_INVOKE);
        expected.put("/models//invoke", Route.OTHER);
        expected.put("/models/a/b", Route.OTHER);
        expected.put("/models/a/b/invoke", Route.OTHER);
        expected.put("/modelsx", Route.OTHER);
        expected.put("/", Route.OTHER);
        expected.put("-", Route.OTHER);
        expected.put("", Route.OTHER);
        Map<String, Route> actual = new LinkedHashMap<>();
        expected.keySet().forEach(uri -> actual.put(uri, Route.of(uri)));
        assertEquals(expected, actual);
    }
}
