import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The Learning Path builds with Hugo and every page shows all its images in a real browser.
 *
 * <p>The test assembles a minimal Hugo site in a temporary folder, laid out like the Arm Learning Paths repository:
 * {@code content/learning-paths/cross-platform/sme2-executorch-profiling/} holds the pages of {@code content/} and,
 * in its {@code images/} subfolder, the image files of {@code images/} (that is how the Learning Path is published:
 * images live in the Learning Path folder). A minimal {@code learningpathall} layout renders the pages, and an image
 * render hook applies the site's rule: an image destination is taken relative to the Learning Path folder (the parent
 * of the page's URL). Hugo (Debian's package; the Learning Paths CI uses 0.130 extended) must build it without error.
 *
 * <p>Then the built site is served on 127.0.0.1 by a small HTTP server that counts 404s, and headless Chromium loads
 * every page with {@code --dump-dom}. The layout's script writes, after the load event, how many images the page
 * has and which ones did not load ({@code naturalWidth == 0}). Every image must load, the count must match the
 * Markdown, and no request may get a 404.
 *
 * <p>Skipped, with the reason, when {@code hugo} or {@code chromium} is not installed ({@code apt-get install -y hugo
 * chromium}).
 */
class LearningPathSiteTest {
    static final Path REPO = TestKit.repo();
    static final String LP = "learning-paths/cross-platform/sme2-executorch-profiling";
    @TempDir Path tmp;

    /** The first of these tools on PATH; when absent the test is skipped, or fails where CI requires the site tools. */
    static Path tool(String install, String... names) {
        for (String n : names) {
            Path p = Kit.which(System.getenv(), n);
            if (p != null) return p;
        }
        String why = names[0] + " is not installed (" + install + ")";
        if ("1".equals(System.getenv("SME2_REQUIRE_SITE_TOOLS"))) fail(why + ", and SME2_REQUIRE_SITE_TOOLS=1 (set by .ci/run) requires it");
        Assumptions.assumeTrue(false, why + ", skipping");
        return null;
    }

    /** Writes the minimal site and returns its folder. */
    Path site() throws IOException {
        Path site = tmp.resolve("site");
        Path lp = site.resolve("content").resolve(LP);
        Files.createDirectories(lp.resolve("images"));
        try (Stream<Path> s = Files.list(REPO.resolve("content"))) {
            for (Path p : s.toList()) Files.copy(p, lp.resolve(p.getFileName()));
        }
        try (Stream<Path> s = Files.list(REPO.resolve("images"))) {
            for (Path p : s.filter(p -> p.toString().matches(".*\\.(svg|png|jpg|jpeg|gif|webp)$")).toList())
                Files.copy(p, lp.resolve("images").resolve(p.getFileName()));
        }
        Files.writeString(site.resolve("hugo.toml"), """
                baseURL = "/"
                title = "Learning Path test site"
                disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
                [markup.goldmark.renderer]
                  unsafe = true
                """);
        String page = """
                <!DOCTYPE html>
                <html><head><meta charset="utf-8"><title>{{ .Title }}</title><link rel="icon" href="data:,"></head>
                <body>
                <h1>{{ .Title }}</h1>
                <main>{{ .Content }}</main>
                <nav>{{ range .Pages.ByWeight }}<a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ end }}</nav>
                <script>
                window.addEventListener('load', function () {
                  var broken = [], n = 0;
                  document.querySelectorAll('img').forEach(function (i) {
                    n++;
                    if (!i.complete || i.naturalWidth === 0) broken.push(i.getAttribute('src'));
                  });
                  var p = document.createElement('pre');
                  p.textContent = 'IMGCHECK images=' + n + ' broken=[' + broken.join(' ') + ']';
                  document.body.appendChild(p);
                });
                </script>
                </body></html>
                """;
        Path layouts = site.resolve("layouts/_default");
        Files.createDirectories(layouts.resolve("_markup"));
        for (String name : List.of("single.html", "list.html", "learningpathall.html")) Files.writeString(layouts.resolve(name), page);
        Files.writeString(site.resolve("layouts/index.html"), page);
        // the Learning Paths site's image routing: relative to the Learning Path folder (parent of the page's URL)
        Files.writeString(layouts.resolve("_markup/render-image.html"), """
                {{- $src := .Destination -}}
                {{- $folder := path.Dir (trim .Page.RelPermalink "/") -}}
                {{- if and (in $folder "learning-paths") (not (strings.HasPrefix $src "http")) -}}
                  {{- $src = printf "/%s/%s" $folder .Destination -}}
                {{- end -}}
                <img src="{{ $src | safeURL }}" alt="{{ replace .Text "#center" "" }}"{{ with .Title }} title="{{ . }}"{{ end }}>
                """);
        return site;
    }

    Path build() throws IOException {
        Path hugo = tool("apt-get install -y hugo", "hugo");
        Path site = site();
        TestKit.Run r = TestKit.process(site, Map.of(), List.of(), Duration.ofMinutes(3),
                hugo.toString(), "--source", site.toString(), "--destination", site.resolve("public").toString());
        assertEquals(0, r.code(), "hugo build failed:\n" + r);
        assertFalse(r.all().contains("ERROR"), "hugo reported errors:\n" + r);
        return site.resolve("public");
    }

    static List<String> pageNames() throws IOException {
        try (Stream<Path> s = Files.list(REPO.resolve("content"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.matches("[0-9][0-9]-.*\\.md")).sorted()
                    .map(n -> n.substring(0, n.length() - 3)).toList();
        }
    }

    @Test
    void theLearningPathBuildsWithHugoWithImagesBesideThePages() throws Exception {
        Path pub = build();
        Path lp = pub.resolve(LP);
        assertTrue(Files.isRegularFile(lp.resolve("index.html")), "the Learning Path's main page");
        Pattern img = Pattern.compile("<img src=\"([^\"]+)\" alt=\"([^\"]*)\"");
        Pattern href = Pattern.compile("<a href=\"([^\"#]+)(#[^\"]*)?\"");
        int images = 0;
        for (String name : pageNames()) {
            Path html = lp.resolve(name).resolve("index.html");
            assertTrue(Files.isRegularFile(html), "built page " + name);
            String h = Files.readString(html);
            Matcher m = img.matcher(h);
            while (m.find()) {
                images++;
                assertTrue(m.group(1).startsWith("/" + LP + "/images/"), name + ": image routed into the Learning Path folder: " + m.group(1));
                assertTrue(Files.isRegularFile(pub.resolve(m.group(1).substring(1))), name + ": image file published: " + m.group(1));
                assertTrue(m.group(2).strip().length() >= 10, name + ": alt text for " + m.group(1));
            }
            Matcher a = href.matcher(h);
            while (a.find()) {
                String target = a.group(1);
                if (target.matches("^[a-z]+:.*")) continue;
                String resolved = URI.create("/" + LP + "/" + name + "/").resolve(target).getPath();
                if (!resolved.startsWith("/" + LP + "/")) continue;        // other Learning Paths and install guides of the real site
                Path file = pub.resolve(resolved.substring(1));
                assertTrue(Files.isRegularFile(file) || Files.isRegularFile(file.resolve("index.html")), name + ": broken link " + target);
            }
            assertFalse(h.contains("{{"), name + ": unrendered shortcode or template text");
        }
        assertTrue(images >= 6, "images on the pages: " + images);
        // the main page's own links (its "jump to" list) resolve against the Learning Path folder
        Matcher a = href.matcher(Files.readString(lp.resolve("index.html")));
        while (a.find()) {
            String target = a.group(1);
            if (target.matches("^[a-z]+:.*")) continue;
            String resolved = URI.create("/" + LP + "/").resolve(target).getPath();
            if (!resolved.startsWith("/" + LP + "/")) continue;
            Path file = pub.resolve(resolved.substring(1));
            assertTrue(Files.isRegularFile(file) || Files.isRegularFile(file.resolve("index.html")), "_index: broken link " + target);
        }
    }

    @Test
    void everyPageShowsAllItsImagesInChromiumWithoutA404() throws Exception {
        Path chromium = tool("apt-get install -y chromium", "chromium", "chromium-browser", "google-chrome");
        Path pub = build();
        List<String> notFound = Collections.synchronizedList(new ArrayList<>());
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            Path f = pub.resolve(path.substring(1)).normalize();
            if (Files.isDirectory(f)) f = f.resolve("index.html");
            byte[] body;
            int code;
            if (f.startsWith(pub) && Files.isRegularFile(f)) {
                body = Files.readAllBytes(f);
                code = 200;
                String type = f.toString().endsWith(".svg") ? "image/svg+xml" : f.toString().endsWith(".html") ? "text/html; charset=utf-8"
                        : f.toString().endsWith(".png") ? "image/png" : "application/octet-stream";
                ex.getResponseHeaders().set("Content-Type", type);
            } else {
                notFound.add(path);
                body = "not found".getBytes();
                code = 404;
            }
            ex.sendResponseHeaders(code, body.length);
            try (OutputStream o = ex.getResponseBody()) { o.write(body); }
        });
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/" + LP + "/";
            List<String> problems = new ArrayList<>();
            List<String> pages = new ArrayList<>(List.of(""));
            for (String n : pageNames()) pages.add(n + "/");
            int images = 0;
            for (String page : pages) {
                Path profile = Files.createTempDirectory(tmp, "chromium");
                TestKit.Run r = TestKit.process(tmp, Map.of(), List.of(), Duration.ofMinutes(2), chromium.toString(),
                        "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        "--user-data-dir=" + profile, "--virtual-time-budget=10000", "--dump-dom", base + page);
                Matcher m = Pattern.compile("IMGCHECK images=(\\d+) broken=\\[([^\\]]*)\\]").matcher(r.out());
                if (!m.find()) {
                    problems.add(page + ": the page's image check did not run (exit " + r.code() + ")\n" + DocCommands.tail(r.err(), 10));
                    continue;
                }
                int expected = page.isEmpty() ? 0 : markdownImages(REPO.resolve("content/" + page.replace("/", "") + ".md"));
                if (Integer.parseInt(m.group(1)) != expected) problems.add(page + ": " + m.group(1) + " images in the browser, " + expected + " in the Markdown");
                if (!m.group(2).isBlank()) problems.add(page + ": images that did not load: " + m.group(2));
                images += Integer.parseInt(m.group(1));
            }
            assertTrue(problems.isEmpty(), String.join("\n", problems));
            assertEquals(List.of(), notFound, "requests answered with 404");
            assertTrue(images >= 6, "images loaded: " + images);
        } finally {
            server.stop(0);
        }
    }

    static int markdownImages(Path md) throws IOException { return DocCommands.images(Files.readString(md)).size(); }
}
