import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Evaluates a project with govrules serve: java Evaluate.java http://127.0.0.1:8765 project.json */
public class Evaluate {
    public static void main(String[] args) throws Exception {
        String base = args[0];
        String project = Files.readString(Path.of(args[1]), StandardCharsets.UTF_8);
        String body = "{\"project\": " + project + ", \"jurisdiction\": \"wuxing\", \"as_of\": \"2026-06-01\"}";
        HttpClient client = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .proxy(HttpClient.Builder.NO_PROXY)
            .build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/v1/evaluate"))
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        // 200: the report (docs/report-format.md); 422, 404, 413, 503: a problem document (RFC 9457)
        System.out.println(response.statusCode() + " " + response.headers().firstValue("Content-Type").orElse(""));
        System.out.println("packs: " + response.headers().firstValue("X-Govrules-Packs").orElse(""));
        System.out.println(response.body());
    }
}
