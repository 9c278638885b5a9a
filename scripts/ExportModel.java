///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS info.picocli:picocli:4.7.7
//DEPS com.fasterxml.jackson.core:jackson-databind:2.21.3
//DEPS org.zeroturnaround:zt-exec:1.13.0
//DEPS org.slf4j:slf4j-nop:1.7.36
//SOURCES Kit.java
//JAVA_OPTIONS -XX:TieredStopAtLevel=1
//DESCRIPTION Exports a PyTorch model (toy_cnn, an ExecuTorch example model or your own) to a .pte with its .etrecord and export.json.

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

@Command(name = "ExportModel", mixinStandardHelpOptions = true, version = "0.1.0", sortOptions = false,
        description = {
                "Exports a model with the workspace's Python (.venv, made by SetupRepo) and",
                "ExecuTorch's exporter: torch.export, to_edge_transform_and_lower (with the",
                "XnnpackPartitioner for --backend xnnpack), to_executorch. In --outdir",
                "(default <workspace>/models) it writes <model>_<backend>_<dtype>:",
                "  .pte          the program executor_runner loads",
                "  .etrecord     its ETRecord (generate_etrecord=True when the installed",
                "                ExecuTorch takes it, else devtools.generate_etrecord)",
                "  .export.json  versions, input shapes, the ETRecord route, what --dtype",
                "                converted (tensors by dtype in the exported program and in the",
                "                .pte) and what the .pte will run: delegate calls vs kernel",
                "                (non-delegated) calls, XNNPACK nodes inside",
                "  .export.log   the exporter's output",
                "Models: toy_cnn (built in, no download: three 3x3 stride-2 convolutions",
                "3->32->64->128 with ReLU, average pool, Linear 128->1000; input 1x3x96x96),",
                "efficient_sam_untrained (built in, no download: ExecuTorch's example",
                "efficient_sam, EfficientSAM ViT-T, with random weights; three inputs: image",
                "1x3x1024x1024, point 1x1x1x2, label 1x1x1; ~4 s per inference fp32 on an",
                "M1 Pro core set; efficient_sam itself downloads its weights),",
                "a name of ExecuTorch's example registry (--list-models: mv2, mv3, resnet18,",
                "ds_cnn...; some download pretrained weights), or your own model with",
                "--model-file and --model-class (configs/templates/model_template.py).",
                "--dtype fp16 converts model and inputs to float16; int8 quantizes (static,",
                "per channel) for XNNPACK."},
        footerHeading = "%nExamples:%n",
        footer = {
                "  jbang scripts/ExportModel.java --model toy_cnn --dtype fp16",
                "  jbang scripts/ExportModel.java --model mv2 --dtype int8",
                "  jbang scripts/ExportModel.java --model efficient_sam_untrained --dtype fp16",
                "  jbang scripts/ExportModel.java --model mv3 --backend portable",
                "  jbang scripts/ExportModel.java --model-file my_model.py --model-class MyModel --dtype fp16",
                "  jbang scripts/ExportModel.java --list-models"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:exported (or listed)", "1:the export failed (the cause, the log and a fix are printed)",
                "2:bad input: unknown model (with the closest names), bad option or model file"})
public class ExportModel implements Callable<Integer> {
    static final String TOY_CNN = "toy_cnn";
    /** ExecuTorch's example efficient_sam built without its weights download (see the Python efficient_sam_untrained()). */
    static final String EFFICIENT_SAM_UNTRAINED = "efficient_sam_untrained";
    static final List<String> BUILTIN = List.of(TOY_CNN, EFFICIENT_SAM_UNTRAINED);
    static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    private final Kit.Io io;
    private final Map<String, String> env;

    ExportModel(Kit.Io io) { this(io, System.getenv()); }

    ExportModel(Kit.Io io, Map<String, String> env) {
        this.io = io;
        this.env = env;
    }

    enum Dtype { fp32, fp16, int8 }

    enum Backend { xnnpack, portable }

    @Option(names = "--model", paramLabel = "NAME", description = "toy_cnn, efficient_sam_untrained or a name from --list-models")
    String model;

    @Option(names = "--model-file", paramLabel = "FILE.py", description = "your own model: a Python file with a class that has get_eager_model() and get_example_inputs()")
    Path modelFile;

    @Option(names = "--model-class", paramLabel = "NAME", description = "the class in --model-file to export (the output is named after it in snake_case)")
    String modelClass;

    @Option(names = "--list-models", description = "print the models the installed ExecuTorch offers, and exit")
    boolean listModels;

    @Option(names = "--dtype", paramLabel = "DTYPE", description = "fp32 (default), fp16 or int8")
    Dtype dtype = Dtype.fp32;

    @Option(names = "--backend", paramLabel = "BACKEND", description = "xnnpack (default: delegate what XNNPACK supports) or portable (no delegation)")
    Backend backend = Backend.xnnpack;

    @Option(names = "--outdir", paramLabel = "DIR", description = "where the files go (default: <workspace>/models)")
    Path outdir;

    @Option(names = "--workspace", paramLabel = "DIR", description = "the workspace holding .venv/ (default: $SME2_WORKSPACE or the nearest such folder upwards)")
    Path workspace;

    @Option(names = "--json", description = "print export.json (or the model list) on stdout")
    boolean json;

    @Option(names = "--dry-run", description = "print the export command; write nothing")
    boolean dryRun;

    public static void main(String[] args) { System.exit(run(System.out, System.err, args)); }

    /** Entry point for tests (in-process). */
    public static int run(PrintStream out, PrintStream err, String... args) { return run(System.getenv(), out, err, args); }

    /** Entry point for tests with their own environment. */
    public static int run(Map<String, String> env, PrintStream out, PrintStream err, String... args) {
        Kit.Io io = new Kit.Io(out, err);
        return Kit.run(io, new ExportModel(io, env), args);
    }

    @Override
    public Integer call() throws IOException {
        io.json = json;
        io.dryRun = dryRun;
        Kit.Workspace ws = Kit.Workspace.locate(workspace);
        Path python = ws.python();
        int chosen = (model != null ? 1 : 0) + (modelFile != null ? 1 : 0) + (listModels ? 1 : 0);
        if (chosen != 1) throw Kit.UserError.badInput("give exactly one of --model NAME, --model-file FILE.py (with --model-class), --list-models",
                "e.g. --model toy_cnn; see the names with --list-models");
        if (modelClass != null && modelFile == null) throw Kit.UserError.badInput("--model-class needs --model-file", "add --model-file FILE.py");
        if (modelFile != null) {
            modelFile = modelFile.toAbsolutePath().normalize();
            if (modelClass == null) throw Kit.UserError.badInput("--model-file needs --model-class NAME (the class to export)", "e.g. --model-class MyModel");
            if (!Files.isRegularFile(modelFile)) throw Kit.UserError.badInput(modelFile + ": file not found", "check the path");
            if (!modelFile.toString().endsWith(".py")) throw Kit.UserError.badInput(modelFile + ": not a .py file", "pass the Python file that defines " + modelClass);
            if (!modelClass.matches("[A-Za-z_][A-Za-z0-9_]*")) throw Kit.UserError.badInput("--model-class " + modelClass + ": not a Python class name", "e.g. --model-class MyModel");
        }
        if (model != null && !MODEL_NAME.matcher(model).matches())
            throw Kit.UserError.badInput("--model " + model + ": not a model name", "use a name such as toy_cnn or mv2 (see --list-models)");
        if (dtype == Dtype.int8 && backend == Backend.portable)
            throw Kit.UserError.badInput("--dtype int8 needs --backend xnnpack (the quantized operators run in XNNPACK)", "drop --backend portable, or use --dtype fp32/fp16");
        if (!dryRun && !Files.isExecutable(python))
            throw Kit.UserError.failed("no Python environment at " + ws.venv(), "create the workspace first: jbang scripts/SetupRepo.java --workspace " + Kit.shq(ws.root().toString()));
        Path out = (outdir != null ? outdir : ws.models()).toAbsolutePath().normalize();
        return listModels ? list(python, out) : export(python, out);
    }

    // ---------------------------------------------------------------- list

    private int list(Path python, Path out) throws IOException {
        Path tmp = dryRun ? null : Files.createTempDirectory("sme2-export");
        try {
            Path result = (tmp != null ? tmp : Path.of(System.getProperty("java.io.tmpdir"), "sme2-export")).resolve("result.json");
            Kit.Result r = python(python, tmp, List.of("--list-models", "--result", result.toString()), null);
            if (dryRun) return Kit.OK;
            JsonNode doc = readResult(result);
            if (!r.ok() || doc == null || !doc.has("registry")) throw failure(doc, r, null, "--list-models");
            List<String> names = new ArrayList<>();
            doc.get("registry").forEach(n -> names.add(n.asText()));
            if (json) io.data(Kit.ordered("builtin", BUILTIN, "registry", names, "executorch", doc.path("executorch").asText(null)));
            else {
                io.out.println("built in: " + TOY_CNN + " (tiny CNN, no download), " + EFFICIENT_SAM_UNTRAINED
                        + " (ExecuTorch's efficient_sam, EfficientSAM ViT-T, random weights, no download)");
                io.out.println("ExecuTorch " + doc.path("executorch").asText("?") + " examples (executorch.examples.models): " + String.join(", ", names));
            }
            return Kit.OK;
        } finally {
            if (tmp != null) deleteTree(tmp);
        }
    }

    // ---------------------------------------------------------------- export

    private int export(Path python, Path out) throws IOException {
        String name = model != null ? model : snake(modelClass);
        String stem = name + "_" + backend + "_" + dtype;
        Path pte = out.resolve(stem + ".pte"), etrecord = out.resolve(stem + ".etrecord"), exportJson = out.resolve(stem + ".export.json"),
                log = out.resolve(stem + ".export.log");
        io.step("ExportModel: " + (modelFile != null ? modelFile + "#" + modelClass : name) + ", " + backend + ", " + dtype + " -> " + pte);
        if (!dryRun) Files.createDirectories(out);
        Path tmp = dryRun ? null : Files.createTempDirectory("sme2-export");
        try {
            Path result = (tmp != null ? tmp : Path.of(System.getProperty("java.io.tmpdir"), "sme2-export")).resolve("result.json");
            List<String> args = new ArrayList<>();
            if (modelFile != null) args.addAll(List.of("--model-file", modelFile.toString(), "--model-class", modelClass));
            else args.addAll(List.of("--model", name));
            args.addAll(List.of("--dtype", dtype.name(), "--backend", backend.name(), "--pte", pte.toString(), "--etrecord", etrecord.toString(),
                    "--result", result.toString()));
            long t0 = System.nanoTime();
            Kit.Result r = python(python, tmp, args, log);
            if (dryRun) {
                if (json) io.data(Kit.ordered("dry_run", true, "pte", pte.toString(), "commands", io.plannedCommands));
                return Kit.OK;
            }
            JsonNode doc = readResult(result);
            if (!r.ok() || doc == null || !doc.path("ok").asBoolean(false)) throw failure(doc, r, log, name);
            if (!Files.isRegularFile(pte)) throw Kit.UserError.failed("the exporter finished but wrote no " + pte + " (log: " + log + ")", "read the log");
            Pte.Summary s = Pte.read(pte);
            boolean etOk = Files.isRegularFile(etrecord) && doc.path("etrecord_error").isNull();
            Map<String, Object> exp = Kit.ordered("schema_version", 1, "tool", "ExportModel", "created_at", Kit.utcNow(), "model", name,
                    "source", modelFile != null ? "file:" + modelFile + "#" + modelClass : BUILTIN.contains(name) ? "builtin" : "executorch.examples.models",
                    "weights", weights(name),
                    "backend", backend.name(), "dtype", dtype.name(), "dtype_applied", doc.path("dtype_applied").asText(null), "pte", pte.toString(), "pte_bytes", Files.size(pte),
                    "etrecord", etOk ? etrecord.toString() : null, "etrecord_api", doc.path("etrecord_api").asText(null),
                    "etrecord_route", doc.path("etrecord_route").asText(null), "etrecord_graphs", etOk ? etRecordGraphs(etrecord) : null,
                    "etrecord_error", doc.path("etrecord_error").asText(null),
                    "inputs", Kit.JSON.convertValue(doc.path("inputs"), List.class), "versions", Kit.JSON.convertValue(doc.path("versions"), Map.class),
                    "operators", s.operators(), "conversion", conversion(dtype, doc.path("exported_program"), s),
                    "execution_plans", s.plans(), "seconds", Kit.JSON.convertValue(doc.path("seconds"), Map.class),
                    "total_seconds", Math.round((System.nanoTime() - t0) / 1e8) / 10.0, "log", log.toString(),
                    "verified", VERIFIED, "not_verified", NOT_VERIFIED);
            Kit.writeJson(exportJson, exp);
            if (!etOk) io.warn("no ETRecord: " + doc.path("etrecord_error").asText("not written") + " (operator names in reports fall back to the .pte)");
            else if (s.delegateCalls() > 0 && Boolean.TRUE.equals(((Map<?, ?>) exp.get("etrecord_graphs")).get("readable"))
                    && !Boolean.TRUE.equals(((Map<?, ?>) exp.get("etrecord_graphs")).get("exported_program")))
                io.warn("the ETRecord (" + doc.path("etrecord_api").asText("?") + ") holds only the lowered program: DELEGATE_CALL rows will show no ATen"
                        + " ops or modules; ExecuTorch 1.0+ writes a complete one with generate_etrecord=True");
            io.info("conversion: " + ((Map<?, ?>) exp.get("conversion")).get("summary"));
            if (backend == Backend.xnnpack && s.delegateCalls() == 0)
                io.warn("nothing was delegated to XNNPACK: every operator runs as a portable kernel (check the log for partitioner messages)");
            io.ok(pte + " (" + Files.size(pte) / 1024 + " KB): " + s.delegateCalls() + " delegate call(s)"
                    + (s.delegatedNodes() != null ? " holding " + s.delegatedNodes() + " XNNPACK node(s)" : "") + ", " + s.kernelCalls() + " kernel call(s) outside the delegate"
                    + (etOk ? "; ETRecord " + etrecord.getFileName() : ""));
            io.info("recorded " + exportJson);
            io.info("next: put it in a config (configs/templates/mac_template.json \"model\") or run jbang scripts/RunQuickTest.java");
            if (json) io.data(exp);
            return Kit.OK;
        } finally {
            if (tmp != null) deleteTree(tmp);
        }
    }

    /** What every export.json states ExportModel checked ("verified") and what it leaves to the run ("not_verified"). */
    static final List<String> VERIFIED = List.of(
            "torch.export, lowering and to_executorch finished without error in the workspace's Python",
            "the .pte was read back: its execution plans, delegate calls, XNNPACK nodes and kernel calls are the \"operators\" above");
    static final List<String> NOT_VERIFIED = List.of(
            "that executor_runner loads and runs the .pte (the pipelines do that: MacPipeline, AndroidPipeline, RunQuickTest)",
            "that the .pte's outputs match the eager PyTorch model's (ExportModel does not run the model after export)",
            "the latency: it depends on the runner build (SME2 on/off), threads and the device");

    /** Where the model's weights come from, when ExportModel knows it (its built-in models); null for the others. */
    static String weights(String name) {
        return switch (name) {
            case TOY_CNN -> "random (torch.manual_seed(0)): a tiny CNN for the workflow, not a trained model";
            case EFFICIENT_SAM_UNTRAINED -> "random (torch.manual_seed(0)), not EfficientSAM's trained weights: the same architecture, operators and"
                    + " shapes as efficient_sam (so the same work per inference for fp32/fp16), but the masks it outputs mean nothing";
            default -> null;
        };
    }

    /** Which graphs the ETRecord zip holds: the exported (ATen) program and the edge program the Inspector reads. */
    static Map<String, Object> etRecordGraphs(Path etrecord) {
        List<String> names = new ArrayList<>();
        try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(etrecord.toFile())) {
            z.stream().forEach(e -> names.add(e.getName()));
        } catch (IOException e) {
            return Kit.ordered("readable", false, "error", e.getMessage());
        }
        return Kit.ordered("readable", true, "exported_program", names.contains("exported_program"),
                "edge_program", names.stream().anyMatch(n -> n.equals("edge_dialect_exported_program") || n.startsWith("edge_dialect_exported_program/")),
                "export_graph_id", names.contains("export_graph_id"), "entries", names.size());
    }

    /**
     * What --dtype converted: the exported program's tensors by dtype (from the exporter) and what the .pte's XNNPACK
     * payload stores by datatype, with one sentence that says both (XNNPACK serialises convolution filters as fp32 even in
     * an fp16 model: it converts them when it packs the weights).
     */
    static Map<String, Object> conversion(Dtype dtype, JsonNode program, Pte.Summary s) {
        Map<String, Object> ep = program.isObject() ? Kit.JSON.convertValue(program, Map.class) : null;
        Map<String, Map<String, Map<String, Long>>> pte = s.delegateTensors();
        List<String> parts = new ArrayList<>();
        if (ep != null) {
            parts.add("exported program: weights " + byType(program.path("weights"), true) + "; activations " + byType(program.path("activations"), false)
                    + "; inputs " + byType(program.path("inputs"), false));
        }
        if (!pte.isEmpty()) {
            JsonNode t = Kit.JSON.valueToTree(pte);
            parts.add(".pte XNNPACK payload: constants " + byType(t.path("constants"), true) + "; values " + byType(t.path("values"), false));
        }
        Map<String, Long> fp32 = pte.getOrDefault("constants", Map.of()).get("fp32");
        if (dtype == Dtype.fp16 && fp32 != null)
            parts.add(fp32.get("tensors") + " weight tensor(s) stay fp32 in the .pte: ExecuTorch's XNNPACK serializer writes convolution weights as"
                    + " fp32 and XNNPACK converts them when it creates the fp16 operators, so the file is larger than half the fp32 one");
        return Kit.ordered("requested", dtype.name(), "exported_program", ep, "pte_xnnpack", pte.isEmpty() ? null : pte,
                "summary", parts.isEmpty() ? "not recorded" : String.join("; ", parts));
    }

    /** {"float16": {"tensors": 8, "bytes": 443904}} -> "8 float16 (433.5 KB)"; several types joined with " + ". */
    private static String byType(JsonNode table, boolean sized) {
        List<String> r = new ArrayList<>();
        table.properties().forEach(e -> {
            long n = e.getValue().path("tensors").asLong();
            long bytes = e.getValue().path("bytes").asLong(-1);
            r.add(n + " " + e.getKey() + (sized && bytes >= 0 ? " (" + Kit.round(bytes / 1024.0) + " KB)" : ""));
        });
        return r.isEmpty() ? "none" : String.join(" + ", r);
    }

    /** Runs the embedded program with the venv's python, from a temporary folder (so no local folder shadows a package). */
    private Kit.Result python(Path python, Path tmp, List<String> args, Path log) throws IOException {
        Path program = (tmp != null ? tmp : Path.of(System.getProperty("java.io.tmpdir"), "sme2-export")).resolve("sme2_export.py");
        if (tmp != null) Files.writeString(program, PROGRAM);
        List<String> argv = new ArrayList<>(List.of(python.toString(), program.toString()));
        argv.addAll(args);
        Map<String, String> e = new LinkedHashMap<>();
        e.put("PATH", Kit.pathFirst(python.getParent(), env));
        e.put("VIRTUAL_ENV", python.getParent().getParent().toString());
        e.put("PYTHONUNBUFFERED", "1");
        return Kit.exec(io, Kit.Cmd.of(argv).in(tmp).env(e).log(log).echo(!dryRun && log != null).timeout(Duration.ofHours(2)));
    }

    private static JsonNode readResult(Path result) {
        try {
            return Files.isRegularFile(result) ? Kit.JSON.readTree(result.toFile()) : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The one-line summary of a failed export, from the program's result (kind, phase, message) or its last output line. */
    private Kit.UserError failure(JsonNode doc, Kit.Result r, Path log, String name) {
        String where = log != null ? " (log: " + log + ")" : "";
        JsonNode err = doc == null ? null : doc.path("error");
        if (err == null || err.isMissingNode()) {
            String last = r.output().lines().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse(r.startError() != null ? r.startError() : "no output");
            return Kit.UserError.failed("export of " + name + " failed (exit " + r.exitCode() + "): " + last.trim() + where,
                    "read the log; if Python itself is broken, run jbang scripts/SetupRepo.java again");
        }
        String kind = err.path("kind").asText(""), phase = err.path("phase").asText("?"), msg = err.path("message").asText("");
        switch (kind) {
            case "unknown_model" -> {
                List<String> available = new ArrayList<>();
                err.path("available").forEach(n -> available.add(n.asText()));
                List<String> close = suggestions(name, available);
                return Kit.UserError.badInput("unknown model \"" + name + "\"" + (close.isEmpty() ? "" : "; did you mean " + String.join(", ", close) + "?")
                                + " (ExecuTorch's examples and toy_cnn: --list-models)",
                        "pick a name from jbang scripts/ExportModel.java --list-models, or export your own model with --model-file FILE.py --model-class NAME"
                                + " (skeleton: configs/templates/model_template.py)");
            }
            case "unknown_class" -> {
                return Kit.UserError.badInput(msg, "pass one of the classes it lists, or add get_eager_model() and get_example_inputs() to yours"
                        + " (skeleton: configs/templates/model_template.py)");
            }
            case "import" -> {
                return Kit.UserError.failed("the workspace Python is missing a module the export needs: " + msg + where,
                        "set the workspace up (or repair it): jbang scripts/SetupRepo.java");
            }
            case "download" -> {
                return Kit.UserError.failed(name + " needs pretrained weights, and the download failed: " + msg + where,
                        "check the network connection (proxy: HTTPS_PROXY), or export a model without downloads: "
                                + (name.startsWith("efficient_sam") ? EFFICIENT_SAM_UNTRAINED + " (the same architecture with random weights)"
                                : "toy_cnn, " + EFFICIENT_SAM_UNTRAINED + " or mv2_untrained"));
            }
            case "unsupported_op" -> {
                return Kit.UserError.failed("export of " + name + " (" + backend + ", " + dtype + ") failed in " + phase + ": " + msg + where,
                        "an operator is not supported this way: try --dtype fp32, or --backend portable; the log has the full trace");
            }
            case "environment" -> {
                return Kit.UserError.failed("export of " + name + " failed in " + phase + " because of the Python environment, not the model: " + msg + where,
                        environmentFix(err.path("package").asText(null), err.path("torch").asText(null)));
            }
            default -> {
                return Kit.UserError.failed("export of " + name + " (" + backend + ", " + dtype + ") failed in " + phase + ": " + msg + where,
                        phase.equals("load") ? "read the log for the Python trace; the model failed while being built (its constructor, weights or example inputs), before any tracing"
                                : "read the log for the Python trace; a model that torch.export cannot trace needs changes in the model code");
            }
        }
    }

    /** The fix for a package that does not fit the workspace's torch (ABI, CUDA-only operators, undefined symbols). */
    static String environmentFix(String pkg, String torch) {
        String p = pkg == null || pkg.isBlank() || !pkg.matches("[A-Za-z0-9_.-]{1,64}") ? "the package named in the error" : pkg;
        String t = torch == null || torch.isBlank() ? "the installed torch" : "torch " + torch;
        String build = torch != null && torch.contains("+cpu") ? "the CPU build" : "the same build (CPU or CUDA)";
        return "reinstall " + p + " built for " + t + " (" + build + " of the release that pairs with this torch; a wheel built for CUDA or for"
                + " another torch release fails like this) in the workspace venv, or recreate it: jbang scripts/SetupRepo.java";
    }

    // ---------------------------------------------------------------- names

    /** The closest model names: by edit distance to the name or to its abbreviation (mobilenet_v3_small -> mv3s), at most 3. */
    static List<String> suggestions(String name, Collection<String> available) {
        String n = name.toLowerCase(Locale.ROOT), abbrev = abbreviation(n);
        record Scored(String name, int score) {}
        List<Scored> scored = new ArrayList<>();
        for (String c : available) {
            String lc = c.toLowerCase(Locale.ROOT);
            int s = Math.min(Kit.editDistance(n, lc), Kit.editDistance(abbrev, lc));
            if (Math.min(n.length(), lc.length()) >= 3 && (n.contains(lc) || lc.contains(n))) s = Math.min(s, 1);
            if (s <= 2 && s < Math.max(lc.length(), 2)) scored.add(new Scored(c, s));
        }
        return scored.stream().sorted(Comparator.comparingInt(Scored::score).thenComparing(Scored::name)).limit(3).map(Scored::name).toList();
    }

    /** First letter of each word, keeping digits: mobilenet_v3_small -> mv3s, inception_v3 -> iv3, resnet18 -> r18. */
    static String abbreviation(String name) {
        StringBuilder sb = new StringBuilder();
        for (String t : name.split("[_\\-\\s.]+")) {
            if (t.isEmpty()) continue;
            sb.append(t.charAt(0));
            String digits = t.substring(1).replaceAll("[^0-9]", "");
            sb.append(digits);
        }
        return sb.toString();
    }

    /** MyModel -> my_model, ResNet50Big -> res_net50_big. */
    static String snake(String cls) {
        return cls.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replaceAll("([A-Z]+)([A-Z][a-z])", "$1_$2").toLowerCase(Locale.ROOT);
    }

    /** Removes a temporary folder; a leftover in the system's temp folder is not worth failing for. */
    private static void deleteTree(Path dir) {
        try {
            Kit.deleteTree(dir);
        } catch (IOException ignored) {
        }
    }

    // ---------------------------------------------------------------- .pte reader (program.fbs; read-only, bounds-checked)

    /**
     * Reads back what an exported program will execute: per execution plan, its instructions by kind (KernelCall = an
     * operator run by a kernel library outside any delegate, DelegateCall = a call into a backend), the operators of the
     * kernel calls, the backends of the delegate calls and, for XNNPACK payloads, the nodes in each delegated graph.
     */
    static final class Pte {
        /** XNNPACK's XNodeUnion members in schema order (backends/xnnpack/serialization/schema.fbs); union type = index + 1. */
        static final List<String> XNN_NODE_KINDS = List.of("XNNAdd", "XNNFullyConnected", "XNNSoftmax", "XNNSigmoid", "XNNStaticTranspose",
                "XNNClamp", "XNNConv2d", "XNNDiv", "XNNStaticResizeBilinear2D", "XNNStaticConstantPad", "XNNAvgPooling2d", "XNNMinimum",
                "XNNDepthwiseConv2d", "XNNMaxPooling2d", "XNNMultiply", "XNNSubtract", "XNNFloor", "XNNConvert", "XNNGlobalAvgPooling2d",
                "XNNStaticReshape", "XNNArgMaxPooling2d", "XNNSquareRoot", "XNNCeiling", "XNNHardswish", "XNNLeakyReLU", "XNNMaximum",
                "XNNNegate", "XNNSquare", "XNNELU", "XNNAbs", "XNNPReLU", "XNNConcatenate2", "XNNConcatenate3", "XNNConcatenate4",
                "XNNStaticSlice", "XNNScaledDotProductAttention", "XNNBatchMatrixMultiply", "XNNConcatenate5", "XNNConvTranspose2d",
                "XNNReciprocalSquareRoot", "XNNLog", "XNNGelu", "XNNTanh", "XNNExp", "XNNSin", "XNNCopy", "XNNCos");
        static final int KERNEL_CALL = 1, DELEGATE_CALL = 2;

        /** XNNPACK's XNNDatatype names (backends/xnnpack/serialization/schema.fbs), by value, and their bits per element. */
        static final List<String> XNN_DATATYPES = List.of("invalid", "fp32", "fp16", "qint8", "quint8", "qint32", "qcint8", "qcint32", "qcint4",
                "qdint8", "qbint4", "qpint8", "int32", "pfp32", "bf16");
        static final int[] XNN_DATATYPE_BITS = {0, 32, 16, 8, 8, 32, 8, 32, 4, 8, 4, 8, 32, 32, 16};

        /**
         * delegateTensors: the XNNPACK payloads' tensor values by datatype, {"constants": {dtype: {tensors, elements,
         * bytes}}, "values": {dtype: {tensors}}} (constants = weights the payload stores; values = inputs, outputs and
         * intermediates); empty without an XNNPACK payload.
         */
        record Summary(int kernelCalls, int delegateCalls, Integer delegatedNodes, Map<String, Object> operators, List<Map<String, Object>> plans,
                       Map<String, Map<String, Map<String, Long>>> delegateTensors) {}

        private final Path file;
        private final ByteBuffer bb;

        private Pte(Path file, byte[] bytes) {
            this.file = file;
            this.bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        }

        static Summary read(Path file) {
            byte[] b;
            try {
                b = Files.readAllBytes(file);
            } catch (IOException e) {
                throw Kit.UserError.failed(file + ": cannot read: " + e.getMessage(), "check the export output");
            }
            Pte p = new Pte(file, b);
            if (b.length < 8 || !"ET12".equals(new String(b, 4, 4, StandardCharsets.ISO_8859_1)))
                throw p.bad(4, "no ET12 identifier: not an ExecuTorch program");
            return p.summary();
        }

        private Summary summary() {
            long segmentBase = 0;
            if (bb.limit() >= 32 && "eh00".equals(str4(8)) && u32(12) >= 24) segmentBase = bb.getLong(check(24, 8));
            int root = ref(0);
            int kernel = 0, delegate = 0, nodes = 0;
            boolean nodesKnown = true;
            Map<String, Integer> ops = new TreeMap<>(), backends = new TreeMap<>(), kinds = new TreeMap<>();
            Map<String, Map<String, Map<String, Long>>> tensors = new LinkedHashMap<>();
            List<Map<String, Object>> plans = new ArrayList<>();
            int planVec = field(root, 1);
            for (int pi = 0, pn = len(planVec); pi < pn; pi++) {
                int plan = elem(planVec, pi);
                List<String> opNames = new ArrayList<>();
                int opVec = field(plan, 6);
                for (int i = 0, n = len(opVec); i < n; i++) {
                    int op = elem(opVec, i);
                    String overload = strField(op, 1);
                    opNames.add(strField(op, 0) + (overload == null || overload.isEmpty() ? "" : "." + overload));
                }
                List<String> delegateIds = new ArrayList<>();
                List<Integer> delegateNodes = new ArrayList<>();
                int delVec = field(plan, 7);
                for (int i = 0, n = len(delVec); i < n; i++) {
                    int d = elem(delVec, i);
                    String id = strField(d, 0);
                    delegateIds.add(id == null ? "?" : id);
                    Integer count = null;
                    if ("XnnpackBackend".equals(id)) count = xnnNodes(root, field(d, 1), segmentBase, kinds, tensors);
                    delegateNodes.add(count);
                }
                int pk = 0, pd = 0, other = 0, pNodes = 0;
                int chainVec = field(plan, 5);
                for (int c = 0, cn = len(chainVec); c < cn; c++) {
                    int instrVec = field(elem(chainVec, c), 2);
                    for (int i = 0, n = len(instrVec); i < n; i++) {
                        int ins = elem(instrVec, i);
                        int type = u8Field(ins, 0);
                        int args = field(ins, 1);
                        if (type == KERNEL_CALL) {
                            pk++;
                            int idx = args == 0 ? 0 : i32Field(args, 0);
                            ops.merge(idx >= 0 && idx < opNames.size() ? opNames.get(idx) : "operator #" + idx, 1, Integer::sum);
                        } else if (type == DELEGATE_CALL) {
                            pd++;
                            int idx = args == 0 ? 0 : i32Field(args, 0);
                            backends.merge(idx >= 0 && idx < delegateIds.size() ? delegateIds.get(idx) : "delegate #" + idx, 1, Integer::sum);
                            Integer dn = idx >= 0 && idx < delegateNodes.size() ? delegateNodes.get(idx) : null;
                            if (dn == null) nodesKnown = false;
                            else pNodes += dn;
                        } else other++;
                    }
                }
                kernel += pk;
                delegate += pd;
                nodes += pNodes;
                plans.add(Kit.ordered("name", strField(plan, 0), "instructions", pk + pd + other, "kernel_calls", pk, "delegate_calls", pd,
                        "other_instructions", other, "delegates", delegateIds));
            }
            Integer delegatedNodes = delegate == 0 ? Integer.valueOf(0) : nodesKnown ? Integer.valueOf(nodes) : null;
            Map<String, Object> operators = Kit.ordered("delegate_calls", delegate, "kernel_calls", kernel, "delegated_nodes", delegatedNodes,
                    "backends", backends, "kernel_ops", ops, "delegated_node_kinds", kinds);
            return new Summary(kernel, delegate, delegatedNodes, operators, plans, tensors);
        }

        /** The node count of an XNNPACK payload (XNNHeader "XH00" + XNNGraph flatbuffer "XN01"); null when it cannot be found. */
        private Integer xnnNodes(int root, int processed, long segmentBase, Map<String, Integer> kinds, Map<String, Map<String, Map<String, Long>>> tensors) {
            if (processed == 0) return null;
            int location = u8Field(processed, 0), index = (int) u32Field(processed, 1);
            long start, size;
            if (location == 1) {
                int segs = field(root, 4);
                if (index >= len(segs)) return null;
                int seg = elem(segs, index);
                start = segmentBase + u64Field(seg, 0);
                size = u64Field(seg, 1);
            } else {
                int inline = field(root, 3);
                if (index >= len(inline)) return null;
                int data = field(elem(inline, index), 0);
                if (data == 0) return null;
                start = data + 4L;
                size = u32(data);
            }
            if (start < 0 || size < 8 || start + size > bb.limit()) return null;
            int s = (int) start;
            int fb;
            if ("XH00".equals(str4(s + 4))) fb = s + (int) u32(s + 10);
            else if ("XN01".equals(str4(s + 4))) fb = s;
            else return null;
            int graph = ref(fb);
            int xnodes = field(graph, 1);
            int n = len(xnodes);
            for (int i = 0; i < n; i++) {
                int t = u8Field(elem(xnodes, i), 0);
                kinds.merge(t >= 1 && t <= XNN_NODE_KINDS.size() ? XNN_NODE_KINDS.get(t - 1) : "XNode type " + t, 1, Integer::sum);
            }
            xnnValues(field(graph, 2), tensors);
            return n;
        }

        /** XValue (union XNNTensorValue | XNNQuantizedTensorValue{tensor_value}) by datatype; constant_buffer_idx != 0 = a constant. */
        private void xnnValues(int xvalues, Map<String, Map<String, Map<String, Long>>> tensors) {
            for (int i = 0, n = len(xvalues); i < n; i++) {
                int xv = elem(xvalues, i);
                int type = u8Field(xv, 0), value = field(xv, 1);
                if (value == 0 || type < 1 || type > 2) continue;
                int tv = type == 1 ? value : field(value, 0);
                if (tv == 0) continue;
                int dt = i16Field(tv, 0);
                String name = dt >= 0 && dt < XNN_DATATYPES.size() ? XNN_DATATYPES.get(dt) : "datatype " + dt;
                boolean constant = u32Field(tv, 3) != 0;
                Map<String, Long> row = tensors.computeIfAbsent(constant ? "constants" : "values", k -> new TreeMap<>())
                        .computeIfAbsent(name, k -> new LinkedHashMap<>());
                row.merge("tensors", 1L, Long::sum);
                if (!constant) continue;
                long elements = 1;
                int dims = field(tv, 2);
                for (int d = 0, dn = len(dims); d < dn; d++) elements *= u32(dims + 4L + 4L * d);
                row.merge("elements", elements, Long::sum);
                int bits = dt >= 0 && dt < XNN_DATATYPE_BITS.length ? XNN_DATATYPE_BITS[dt] : 0;
                row.merge("bytes", (elements * bits + 7) / 8, Long::sum);
            }
        }

        // flatbuffer access; every offset is checked and a bad one names the byte

        private Kit.UserError bad(long at, String what) {
            return Kit.UserError.failed(file + ": byte " + at + ": " + what, "export the model again; the file is truncated or not a .pte");
        }

        private int check(long at, int n) {
            if (at < 0 || at + n > bb.limit()) throw bad(at, "offset out of range (file is " + bb.limit() + " bytes)");
            return (int) at;
        }

        private long u32(long at) { return Integer.toUnsignedLong(bb.getInt(check(at, 4))); }

        private int ref(long at) { return check(at + u32(at), 4); }

        private String str4(int at) { return at + 4 <= bb.limit() && at >= 0 ? new String(bb.array(), at, 4, StandardCharsets.ISO_8859_1) : ""; }

        /** The position of field id's value in table, or 0 when absent. */
        private int slot(int table, int id) {
            int vt = check(table - (long) bb.getInt(check(table, 4)), 4);
            int vtLen = bb.getShort(vt) & 0xffff;
            if (4 + 2 * id + 2 > vtLen) return 0;
            int off = bb.getShort(check(vt + 4 + 2L * id, 2)) & 0xffff;
            return off == 0 ? 0 : table + off;
        }

        /** A table, vector or string field: the position it refers to, or 0. */
        private int field(int table, int id) {
            int s = slot(table, id);
            return s == 0 ? 0 : ref(check(s, 4));
        }

        private int u8Field(int table, int id) {
            int s = slot(table, id);
            return s == 0 ? 0 : bb.get(check(s, 1)) & 0xff;
        }

        private int i16Field(int table, int id) {
            int s = slot(table, id);
            return s == 0 ? 0 : bb.getShort(check(s, 2));
        }

        private int i32Field(int table, int id) {
            int s = slot(table, id);
            return s == 0 ? 0 : bb.getInt(check(s, 4));
        }

        private long u32Field(int table, int id) {
            int s = slot(table, id);
            return s == 0 ? 0 : u32(s);
        }

        private long u64Field(int table, int id) {
            int s = slot(table, id);
            return s == 0 ? 0 : bb.getLong(check(s, 8));
        }

        private int len(int vec) {
            if (vec == 0) return 0;
            long n = u32(vec);
            check(vec + 4L, (int) Math.min(Integer.MAX_VALUE, n * 4));
            return (int) n;
        }

        private int elem(int vec, int i) { return ref(vec + 4L + 4L * i); }

        private String strField(int table, int id) {
            int at = field(table, id);
            if (at == 0) return null;
            int n = (int) Math.min(u32(at), Integer.MAX_VALUE);
            return new String(bb.array(), check(at + 4L, n), n, StandardCharsets.UTF_8);
        }
    }

    // ---------------------------------------------------------------- the exporter (runs in the workspace's Python)

    /** The Python program ExportModel runs in the workspace venv; its protocol: arguments below, a JSON result file (--result). */
    static final String PROGRAM = """
            # sme2-executorch-profiling: the exporter behind ExportModel.java (written to a temporary file and run with the
            # workspace's Python). Arguments: --model NAME | --model-file F --model-class C | --list-models, --dtype, --backend,
            # --pte, --etrecord, --result. Progress goes to stdout; the outcome is a JSON file (--result):
            #   {"ok": true, "versions", "inputs", "etrecord_api", "etrecord_error", "seconds"} or
            #   {"ok": false, "error": {"kind", "phase", "message", ...}}; exit 0 ok, 3 unknown model or class, 1 other failures.
            import argparse
            import copy
            import importlib.util
            import inspect
            import json
            import os
            import platform
            import sys
            import time
            import traceback

            TOY_CNN = "toy_cnn"
            PHASE = {"name": "start"}


            class Failure(Exception):
                def __init__(self, kind, message, **extra):
                    super().__init__(message)
                    self.kind = kind
                    self.extra = extra


            def write_result(path, doc):
                with open(path, "w") as f:
                    json.dump(doc, f, indent=1)


            def phase(name):
                PHASE["name"] = name
                print("[export] " + name, flush=True)


            def versions():
                out = {"python": platform.python_version()}
                try:
                    import torch
                    out["torch"] = torch.__version__
                except Exception:
                    out["torch"] = None
                try:
                    import executorch.version as v
                    out["executorch"] = v.__version__
                    out["executorch_git"] = v.git_version
                except Exception:
                    out["executorch"] = None
                    out["executorch_git"] = None
                return out


            def registry():
                try:
                    from executorch.examples.models import MODEL_NAME_TO_MODEL
                except ImportError as e:
                    raise import_failure("executorch.examples.models", e)
                return MODEL_NAME_TO_MODEL


            def toy_cnn():
                import torch

                class ToyCNN(torch.nn.Module):
                    def __init__(self):
                        super().__init__()
                        self.features = torch.nn.Sequential(
                            torch.nn.Conv2d(3, 32, 3, stride=2, padding=1), torch.nn.ReLU(),
                            torch.nn.Conv2d(32, 64, 3, stride=2, padding=1), torch.nn.ReLU(),
                            torch.nn.Conv2d(64, 128, 3, stride=2, padding=1), torch.nn.ReLU())
                        self.pool = torch.nn.AdaptiveAvgPool2d(1)
                        self.fc = torch.nn.Linear(128, 1000)

                    def forward(self, x):
                        return self.fc(torch.flatten(self.pool(self.features(x)), 1))

                torch.manual_seed(0)
                return ToyCNN(), (torch.randn(1, 3, 96, 96),), None, None


            def user_model(path, class_name):
                folder = os.path.dirname(os.path.abspath(path))
                if folder not in sys.path:
                    sys.path.insert(0, folder)
                spec = importlib.util.spec_from_file_location("sme2_user_model", path)
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
                cls = getattr(module, class_name, None)
                if cls is None:
                    classes = sorted(n for n, o in vars(module).items() if inspect.isclass(o) and o.__module__ == module.__name__)
                    raise Failure("unknown_class", "%s has no class %s (classes: %s)" % (path, class_name, ", ".join(classes) or "none"))
                obj = cls()
                model = obj.get_eager_model() if hasattr(obj, "get_eager_model") else obj
                if not hasattr(obj, "get_example_inputs"):
                    raise Failure("unknown_class", "%s.%s has no get_example_inputs()" % (os.path.basename(path), class_name))
                dynamic = obj.get_dynamic_shapes() if hasattr(obj, "get_dynamic_shapes") else None
                return model, obj.get_example_inputs(), None, dynamic


            EFFICIENT_SAM_UNTRAINED = "efficient_sam_untrained"


            def half_encoder(encoder):
                \"""The encoder in float16 between float32 tensors: casts in, runs, casts out.\"""
                import torch

                class Half(torch.nn.Module):
                    def __init__(self, inner):
                        super().__init__()
                        self.inner = inner.to(torch.float16)
                        self.img_size = getattr(inner, "img_size", None)

                    def forward(self, x):
                        return self.inner(x.to(torch.float16)).to(torch.float32)

                return Half(encoder)


            def efficient_sam_untrained(dtype):
                \"""ExecuTorch's example efficient_sam (EfficientSAM ViT-T: patch 16, width 192, 3 heads, 12 blocks, plus the
                prompt encoder and mask decoder) built from the installed examples/models/efficient_sam/efficient_sam_core
                with checkpoint=None: no download, random weights (seed 0), the example's inputs: a 1x3x1024x1024 image, one
                point prompt 1x1x1x2 and its label 1x1x1. The core is imported as a package of its own, so the example's
                wrapper (and its weights URL) is not needed. fp16 converts the image encoder (the ViT, nearly all of the work):
                the prompt encoder and mask decoder create float32 tensors explicitly (torch.float32, .to(torch.float)), so a
                whole-model .half() cannot be traced; they stay float32, and so do the three inputs.\"""
                import importlib
                import importlib.util
                import types
                import torch
                try:
                    spec = importlib.util.find_spec("executorch.examples.models")
                except ImportError as e:
                    raise import_failure("executorch.examples.models", e)
                bases = list(spec.submodule_search_locations or []) if spec else []
                cores = [os.path.join(b, "efficient_sam", "efficient_sam_core") for b in bases]
                core = next((c for c in cores if os.path.isfile(os.path.join(c, "efficient_sam.py"))), None)
                if core is None:
                    raise Failure("import", "executorch.examples.models has no efficient_sam/efficient_sam_core/efficient_sam.py (looked in %s)"
                                  % (", ".join(bases) or "no installed executorch.examples.models"))
                package = types.ModuleType("sme2_efficient_sam_core")
                package.__path__ = [core]
                sys.modules[package.__name__] = package
                build = importlib.import_module(package.__name__ + ".efficient_sam").build_efficient_sam
                torch.manual_seed(0)
                model = build(encoder_patch_embed_dim=192, encoder_num_heads=3, checkpoint=None).eval()
                if dtype == "fp16":
                    model.image_encoder = half_encoder(model.image_encoder)
                    model.sme2_dtype_applied = "image encoder float16; prompt encoder, mask decoder and inputs float32"
                h, w = 1024, 1024
                images = torch.randn((1, 3, h, w))
                points = torch.rand((1, 1, 1, 2)) * torch.tensor([h, w])
                labels = torch.ones((1, 1, 1))
                return model, (images, points, labels), None, None


            def load(args):
                if args.model_file:
                    return user_model(args.model_file, args.model_class)
                if args.model == TOY_CNN:
                    return toy_cnn()
                if args.model == EFFICIENT_SAM_UNTRAINED:
                    return efficient_sam_untrained(args.dtype)
                models = registry()
                if args.model not in models:
                    raise Failure("unknown_model", "unknown model %s" % args.model, available=sorted(list(models) + [TOY_CNN, EFFICIENT_SAM_UNTRAINED]))
                from executorch.examples.models.model_factory import EagerModelFactory
                made = EagerModelFactory.create_model(*models[args.model])
                kwargs = made[2] if len(made) > 3 else None
                dynamic = made[-1] if len(made) > 2 else None
                return made[0], made[1], kwargs, dynamic


            def as_dtype(model, inputs, dtype):
                import torch
                if dtype != "fp16" or getattr(model, "sme2_dtype_applied", None):
                    return model, inputs
                half = lambda t: t.to(torch.float16) if isinstance(t, torch.Tensor) and t.is_floating_point() else t
                return model.to(torch.float16), tuple(half(t) for t in inputs)


            def quantize(ep, inputs):
                try:
                    from executorch.backends.xnnpack.quantizer.xnnpack_quantizer import XNNPACKQuantizer, get_symmetric_quantization_config
                except ImportError:
                    from torch.ao.quantization.quantizer.xnnpack_quantizer import XNNPACKQuantizer, get_symmetric_quantization_config
                try:
                    from torchao.quantization.pt2e.quantize_pt2e import convert_pt2e, prepare_pt2e
                except ImportError:
                    from torch.ao.quantization.quantize_pt2e import convert_pt2e, prepare_pt2e
                quantizer = XNNPACKQuantizer()
                quantizer.set_global(get_symmetric_quantization_config(is_per_channel=True))
                m = prepare_pt2e(ep.module(), quantizer)
                m(*inputs)
                return convert_pt2e(m)


            ETRECORD_KEYWORD = "generate_etrecord=True"
            ETRECORD_FUNCTION = "executorch.devtools.generate_etrecord"


            def etrecord_keyword(fn):
                \"""True/False when fn's signature tells whether it takes generate_etrecord; None when a wrapper hides it
                (ExecuTorch 1.3.1 wraps to_edge_transform_and_lower in a logging decorator without functools.wraps).\"""
                try:
                    params = inspect.signature(inspect.unwrap(fn)).parameters
                except (TypeError, ValueError):
                    return None
                if "generate_etrecord" in params:
                    return True
                if any(p.kind == inspect.Parameter.VAR_KEYWORD for p in params.values()):
                    return None
                return False


            def lower(fn, ep, options):
                \"""Lowers with the ETRecord route the installed ExecuTorch supports, chosen by capability: the
                generate_etrecord keyword (1.0+; its ETRecord keeps the exported program, so op types, module hierarchy and
                stack traces reach the Inspector) when the signature shows it or a call accepts it, else the old
                executorch.devtools.generate_etrecord on a copy of the edge program taken before to_executorch().\"""
                known = etrecord_keyword(fn)
                if known is not False:
                    try:
                        edge = fn(ep, generate_etrecord=True, **options)
                        how = "signature" if known else "call (the signature hides the keyword behind a wrapper)"
                        return edge, {"api": ETRECORD_KEYWORD, "chosen_by": ETRECORD_KEYWORD + " accepted: " + how}
                    except TypeError as e:
                        if known or "generate_etrecord" not in str(e):
                            raise
                        why = "the call refused the keyword (%s)" % str(e).strip().splitlines()[0]
                else:
                    why = "the signature has no generate_etrecord keyword"
                edge = fn(ep, **options)
                return edge, {"api": ETRECORD_FUNCTION, "chosen_by": ETRECORD_FUNCTION + ": " + why, "edge_copy": copy.deepcopy(edge)}


            def save_etrecord(route, program, path):
                if route["api"] == ETRECORD_KEYWORD:
                    program.get_etrecord().save(path)
                else:
                    from executorch.devtools import generate_etrecord
                    generate_etrecord(path, route["edge_copy"], program)


            def tensor_types(ep):
                \"""What the exported program holds, by dtype: weights (parameters, buffers, constants: tensors, elements,
                bytes), activations (tensor outputs of its operators), user inputs and outputs.\"""
                import torch

                def add(table, t, size=False):
                    row = table.setdefault(str(t.dtype).replace("torch.", ""), {"tensors": 0} if not size else {"tensors": 0, "elements": 0, "bytes": 0})
                    row["tensors"] += 1
                    if size:
                        row["elements"] += t.numel()
                        row["bytes"] += t.numel() * t.element_size()

                def values(v):
                    if isinstance(v, (list, tuple)):
                        for x in v:
                            yield from values(x)
                    elif isinstance(v, torch.Tensor):
                        yield v

                weights, activations, inputs, outputs = {}, {}, {}, {}
                for t in list(ep.state_dict.values()) + list(getattr(ep, "constants", {}).values()):
                    if isinstance(t, torch.Tensor):
                        add(weights, t, True)
                user_inputs = set(getattr(ep.graph_signature, "user_inputs", []))
                for node in ep.graph.nodes:
                    vals = list(values(node.meta.get("val")))
                    if node.op == "placeholder" and node.name in user_inputs:
                        for v in vals:
                            add(inputs, v)
                    elif node.op == "call_function":
                        for v in vals:
                            add(activations, v)
                    elif node.op == "output":
                        for a in (node.args[0] if node.args and isinstance(node.args[0], (list, tuple)) else []):
                            for v in values(getattr(a, "meta", {}).get("val")):
                                add(outputs, v)
                return {"weights": weights, "activations": activations, "inputs": inputs, "outputs": outputs}


            def export(args, result):
                times = {}
                t = time.time()
                phase("load")
                model, inputs, kwargs, dynamic = load(args)
                import torch
                try:
                    from executorch.exir import EdgeCompileConfig, to_edge_transform_and_lower
                except ImportError as e:
                    raise import_failure("executorch.exir", e)
                model = model.eval()
                inputs = tuple(inputs) if isinstance(inputs, (list, tuple)) else (inputs,)
                model, inputs = as_dtype(model, inputs, args.dtype)
                if getattr(model, "sme2_dtype_applied", None):
                    result["dtype_applied"] = model.sme2_dtype_applied
                result["inputs"] = [{"shape": list(x.shape), "dtype": str(x.dtype)} for x in inputs if isinstance(x, torch.Tensor)]
                times["load"] = round(time.time() - t, 2)

                t = time.time()
                phase("export")
                ep = torch.export.export(model, inputs, kwargs=kwargs, dynamic_shapes=dynamic, strict=False)
                if args.dtype == "int8":
                    phase("quantize")
                    ep = torch.export.export(quantize(ep, inputs), inputs, dynamic_shapes=dynamic, strict=False)
                times["export"] = round(time.time() - t, 2)
                result["exported_program"] = tensor_types(ep)

                t = time.time()
                phase("lower")
                config = EdgeCompileConfig(_check_ir_validity=args.dtype != "int8", _skip_dim_order=args.backend == "xnnpack")
                options = {"compile_config": config}
                if args.backend == "xnnpack":
                    from executorch.backends.xnnpack.partition.xnnpack_partitioner import XnnpackPartitioner
                    options["partitioner"] = [XnnpackPartitioner()]
                edge, route = lower(to_edge_transform_and_lower, ep, options)
                result["etrecord_route"] = route["chosen_by"]
                times["lower"] = round(time.time() - t, 2)

                t = time.time()
                phase("to_executorch")
                program = edge.to_executorch()
                phase("save")
                with open(args.pte, "wb") as f:
                    program.write_to_file(f)
                print("[export] wrote " + args.pte, flush=True)
                phase("etrecord")
                try:
                    save_etrecord(route, program, args.etrecord)
                    result["etrecord_api"] = route["api"]
                    print("[export] wrote " + args.etrecord + " (" + route["api"] + ")", flush=True)
                except Exception as e:
                    result["etrecord_error"] = "%s: %s" % (type(e).__name__, e)
                    traceback.print_exc()
                times["save"] = round(time.time() - t, 2)
                result["seconds"] = times


            # Texts of a broken installation rather than of the model: a package built for another torch (a CUDA or
            # other-version torchvision: "operator torchvision::nms does not exist"), a C++ ABI or libc mismatch.
            ENVIRONMENT_MARKERS = ("does not exist", "undefined symbol", "compiled against", "was compiled with", "ABI", "GLIBC",
                                   "cannot open shared object", "DLL load failed", "incompatible with this version", "version mismatch")


            def package_of(e):
                \"""The Python package a load-phase failure points at: operator namespace, path in the message, else the
                innermost traceback frame inside site-packages.\"""
                import re
                text = str(e)
                m = re.search(r"operator (\\w+)::", text) or re.search(r"site-packages/([A-Za-z0-9_]+)", text)
                if m:
                    return m.group(1)
                if isinstance(e, ImportError) and getattr(e, "name", None):
                    return e.name.split(".")[0]
                package = None
                for frame in traceback.extract_tb(e.__traceback__):
                    m = re.search(r"site-packages/([A-Za-z0-9_]+)", frame.filename.replace(os.sep, "/"))
                    if m:
                        package = m.group(1)
                return package


            def import_failure(what, e):
                \"""A missing module is a setup gap; any other ImportError (undefined symbol, ABI) is a broken package.\"""
                if isinstance(e, ModuleNotFoundError):
                    return Failure("import", "%s: %s" % (what, e))
                return Failure("environment", "%s: %s: %s" % (what, type(e).__name__, e), package=package_of(e), torch=versions().get("torch"))


            def kind_of(e, phase=None):
                text = "%s: %s" % (type(e).__name__, e)
                if isinstance(e, ModuleNotFoundError):
                    return "import"
                if isinstance(e, ImportError) or (phase == "load" and any(s in text for s in ENVIRONMENT_MARKERS)):
                    return "environment"
                if any(s in text for s in ("urlopen", "HTTP Error", "URLError", "Temporary failure in name resolution", "Connection refused")):
                    return "download"
                if any(s in text for s in ("Missing out variants", "not supported", "Unsupported", "unsupported", "no kernel", "NotImplementedError")):
                    return "unsupported_op"
                return "export_failed"


            def main():
                p = argparse.ArgumentParser(description="ExportModel.java's exporter")
                p.add_argument("--model")
                p.add_argument("--model-file")
                p.add_argument("--model-class")
                p.add_argument("--list-models", action="store_true")
                p.add_argument("--dtype", default="fp32", choices=["fp32", "fp16", "int8"])
                p.add_argument("--backend", default="xnnpack", choices=["xnnpack", "portable"])
                p.add_argument("--pte")
                p.add_argument("--etrecord")
                p.add_argument("--result", required=True)
                args = p.parse_args()
                try:
                    if args.list_models:
                        write_result(args.result, {"ok": True, "builtin": [TOY_CNN, EFFICIENT_SAM_UNTRAINED], "registry": sorted(registry()), "executorch": versions()["executorch"]})
                        return 0
                    result = {"ok": False, "versions": versions(), "inputs": [], "etrecord_api": None, "etrecord_route": None, "etrecord_error": None, "seconds": {}}
                    export(args, result)
                    result["ok"] = True
                    write_result(args.result, result)
                    return 0
                except Failure as f:
                    error = {"kind": f.kind, "phase": PHASE["name"], "message": str(f)}
                    error.update(f.extra)
                    print("[export] failed: " + str(f), flush=True)
                    write_result(args.result, {"ok": False, "error": error})
                    return 3 if f.kind in ("unknown_model", "unknown_class") else 1
                except BaseException as e:
                    traceback.print_exc()
                    message = ("%s: %s" % (type(e).__name__, e)).strip().splitlines()
                    error = {"kind": kind_of(e, PHASE["name"]), "phase": PHASE["name"], "message": message[0] if message else type(e).__name__}
                    if error["kind"] == "environment":
                        error["package"] = package_of(e)
                        error["torch"] = versions().get("torch")
                    write_result(args.result, {"ok": False, "error": error})
                    return 1


            if __name__ == "__main__":
                sys.exit(main())
            """;
}
