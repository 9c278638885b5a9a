import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A fake `adb` with a fake Android device, for tests. {@link #install} writes it into a folder:
 * <pre>
 *   bin/adb            the fake adb (bash; put bin/ first on PATH or pass its path to the pipeline)
 *   root/              the device's "/": /data/local/tmp, /proc/cpuinfo and /sys/devices/system/cpu live here
 *   device-bin/        the device's own tools, first on the device shell's PATH: getprop, settings, dumpsys, logcat, taskset, uname
 *   calls/NNNNN        every adb invocation, its arguments NUL-separated (read with {@link #calls()})
 *   argv/NNNNN         every start of a recording runner ({@link #runner}) on the device: cwd, LD_LIBRARY_PATH, argv
 *   devices, props, settings/, dumpsys/, logcat.buf, pal, cores, uname, connectable, fail/, disconnect-*   the device's state
 * </pre>
 * It is bash, not Java, because a pipeline calls adb some 40 times per run and a JVM per call would cost seconds.
 * <p>
 * `adb shell CMD…` joins its arguments with spaces into ONE string and runs it with `sh -c` in the device root, like a real
 * device, so quoting mistakes are real injections. Device paths are mapped by text: a `/data/`, `/proc/`, `/sys/`,
 * `/sdcard/` or `/storage/` at the start of a word (after a space, quote, `=`, `:`, `;`, `(`, `|`, `&`, `<`, `>` or a
 * backquote) gets the root folder in front; the root is removed again from what the command prints. Inserting characters
 * at a word start does not change how sh splits or quotes anything. (A name containing " /data/" after a space would be
 * mapped too; tests avoid that.) Signals (a timeout, Ctrl-C) stop the device process group, as adbd does when the client goes.
 * <p>
 * The device writes to logcat like an Android build: XNNPACK log lines on stderr (`Note (XNNPACK): …`) become logcat lines
 * with tag XNNPACK, and with {@link #pal} "android" (the default, like ExecuTorch's Android PAL) ExecuTorch log lines
 * (`I 00:00:00.000674 executorch:file.cpp:12] …`) become tag ExecuTorch, in threadtime format
 * `MM-DD HH:MM:SS.mmm  PID  TID I XNNPACK : Using …`. The rest of stderr stays stderr.
 * <p>
 * Failures: {@link #failFirst} makes the first N calls of a kind (push, pull, shell, logcat, devices, connect, get-state)
 * fail with `error: device offline`, `error: closed` or nothing at all (exit 1); {@link #disconnectAfter} removes
 * the device from call K+1 on, {@link #disconnectWhen} from the first call whose
 * arguments contain a string.
 */
public final class FakeAdb {
    public static final String SERIAL = "FAKE0001";
    public static final String FEATURES = "fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm jscvt fcma lrcpc dcpop sha3"
            + " sm3 sm4 asimddp sha512 sve asimdfhm dit uscat ilrcpc flagm ssbs sb paca pacg dcpodp sve2 sveaes svepmull svebitperm i8mm bf16 bti";
    public static final String SME_FEATURES = " sme smei16i64 smef64f64 smei8i32 smef16f32 smeb16f32 smef32f32 sme2 smei16i32 smebi32i32";
    public static final String UNAME = "Linux localhost 6.6.30-android15-8-gfake #1 SMP PREEMPT Mon Jan  6 00:00:00 UTC 2025 aarch64 Toybox";
    public static final String BATTERY = """
            Current Battery Service state:
              AC powered: false
              USB powered: true
              Wireless powered: false
              Max charging current: 500000
              status: 2
              health: 2
              present: true
              level: 87
              scale: 100
              voltage: 4211
              temperature: 312
              technology: Li-ion
            """;
    public static final String THERMAL = """
            IsStatusOverride: false
            ThermalEventListeners:
            	callbacks: 1
            Thermal Status: 0
            Cached temperatures:
            	Temperature{mValue=31.2, mType=3, mName=SKIN, mStatus=0}
            HAL Ready: true
            """;

    public final Path home, root, adb;

    private FakeAdb(Path home) {
        this.home = home.toAbsolutePath().normalize();
        this.root = this.home.resolve("root");
        this.adb = this.home.resolve("bin/adb");
    }

    /** A fake adb in dir with one SME2 device {@link #SERIAL} online, 8 cores, good power settings, thermal status 0. */
    public static FakeAdb install(Path dir) {
        FakeAdb f = new FakeAdb(dir);
        for (String d : List.of("bin", "device-bin", "calls", "argv", "tmp", "fail", "dumpsys", "settings/global", "root/data/local/tmp", "root/proc"))
            mkdirs(f.home.resolve(d));
        f.script("bin/adb", ADB.replace("@HOME@", Kit.shq(f.home.toString())).replace("@REMAP@", Kit.shq(f.remapExpression()))
                .replace("@DEMAP@", Kit.shq("s#" + bre(f.root.toString()) + "##g")));
        TOOLS.forEach((name, body) -> f.script("device-bin/" + name, "#!/usr/bin/env bash\n" + body));
        f.devices(SERIAL + " device usb:1-1 product:fake_sme2 model:Fake_SME2_Phone device:fake_sme2 transport_id:1");
        f.write("pal", "android\n").write("cores", "8\n").write("uname", UNAME + "\n").write("logcat.buf", "");
        for (String[] p : new String[][]{{"ro.product.model", "Fake SME2 Phone"}, {"ro.product.manufacturer", "FakeCo"},
                {"ro.soc.manufacturer", "FakeSilicon"}, {"ro.soc.model", "FS9500"}, {"ro.board.platform", "fakeplat"},
                {"ro.product.cpu.abi", "arm64-v8a"}, {"ro.build.version.release", "15"}, {"ro.build.version.sdk", "35"},
                {"ro.build.fingerprint", "FakeCo/fake_sme2/fake_sme2:15/AP3A.250105.002/12345678:user/release-keys"}})
            f.prop(p[0], p[1]);
        f.sme2(true).dumpsys("battery", BATTERY).dumpsys("thermalservice", THERMAL);
        for (String[] s : new String[][]{{"stay_on_while_plugged_in", "7"}, {"low_power", "0"}, {"window_animation_scale", "0.0"},
                {"transition_animation_scale", "0.0"}, {"animator_duration_scale", "0.0"}})
            f.setting(s[0], s[1]);
        for (int c = 0; c < 8; c++) {
            Path cpu = f.root.resolve("sys/devices/system/cpu/cpu" + c + "/cpufreq");
            mkdirs(cpu);
            write(cpu.resolve("cpuinfo_max_freq"), (c < 4 ? "2000000" : c < 7 ? "3000000" : "3600000") + "\n");
            write(cpu.resolve("scaling_governor"), "schedutil\n");
        }
        return f;
    }

    // ---------------------------------------------------------------- the device's state

    /** Replaces the device list: lines "SERIAL STATE [attributes…]" as `adb devices -l` prints them. */
    public FakeAdb devices(String... lines) { return write("devices", String.join("\n", lines) + "\n"); }

    public FakeAdb prop(String key, String value) {
        List<String> lines = new ArrayList<>(read("props").lines().filter(l -> !l.startsWith("[" + key + "]: ")).toList());
        if (value != null) lines.add("[" + key + "]: [" + value + "]");
        return write("props", lines.isEmpty() ? "" : String.join("\n", lines) + "\n");
    }

    /** settings global KEY (null: unset, `settings get` prints "null"). */
    public FakeAdb setting(String key, String value) {
        Path p = home.resolve("settings/global").resolve(key);
        if (value == null) delete(p);
        else write(p, value + "\n");
        return this;
    }

    /** /proc/cpuinfo of 8 cores whose Features line lists sme2 or not. */
    public FakeAdb sme2(boolean on) {
        StringBuilder sb = new StringBuilder();
        for (int c = 0; c < 8; c++)
            sb.append("processor\t: ").append(c).append("\nBogoMIPS\t: 38.40\nFeatures\t: ").append(FEATURES).append(on ? SME_FEATURES : "")
                    .append("\nCPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x0\nCPU part\t: ").append(c < 7 ? "0xd85" : "0xd87")
                    .append("\nCPU revision\t: 0\n\n");
        write(root.resolve("proc/cpuinfo"), sb.toString());
        return this;
    }

    /** What `dumpsys SERVICE` prints (null: "Can't find service"). */
    public FakeAdb dumpsys(String service, String text) {
        if (text == null) delete(home.resolve("dumpsys").resolve(service));
        else write(home.resolve("dumpsys").resolve(service), text);
        return this;
    }

    /** "android" (ExecuTorch log lines go to logcat) or "posix" (they stay on stderr). */
    public FakeAdb pal(String pal) { return write("pal", pal + "\n"); }

    /** The first n calls of kind (push, pull, shell, …) whose arguments contain match (null: any) fail: mode offline | closed | silent. */
    public FakeAdb failFirst(String kind, int n, String mode, String match) {
        return write("fail/" + kind, n + " " + mode + " " + (match == null ? "" : match) + "\n");
    }

    /** From adb call number k+1 on the device is gone (not listed, every call to it fails). */
    public FakeAdb disconnectAfter(int k) { return write("disconnect-after", k + "\n"); }

    /** The device goes away at the first adb call whose arguments contain s (that call fails already). */
    public FakeAdb disconnectWhen(String s) { return write("disconnect-when", s + "\n"); }

    /** The device is back (and stays): undoes {@link #disconnectAfter} and {@link #disconnectWhen}. */
    public FakeAdb reconnect() {
        for (String f : List.of("gone", "disconnect-after", "disconnect-when")) delete(home.resolve(f));
        return this;
    }

    /** `adb connect hostPort` succeeds (and adds the device) for these; others are refused. */
    public FakeAdb connectable(String... hostPorts) { return write("connectable", String.join("\n", hostPorts) + "\n"); }

    // ---------------------------------------------------------------- what happened

    /** Every adb invocation so far, in order, as the argument list adb received (without adb itself). */
    public List<List<String>> calls() { return nulRecords("calls"); }

    /** The one string of every `adb … shell STRING` call, in order. */
    public List<String> shellCommands() {
        List<String> out = new ArrayList<>();
        for (List<String> c : calls()) {
            int i = c.indexOf("shell");
            if (i >= 0 && (i == 0 || c.get(0).equals("-s") && i == 2)) out.add(String.join(" ", c.subList(i + 1, c.size())));
        }
        return out;
    }

    /** One start of a recording runner on the device: its working folder, LD_LIBRARY_PATH and argv, in device paths. */
    public record DeviceRun(String cwd, String ldLibraryPath, List<String> argv) {}

    public List<DeviceRun> runs() {
        return nulRecords("argv").stream().map(r -> new DeviceRun(demap(r.get(0)), demap(r.get(1)), r.subList(2, r.size()).stream().map(this::demap).toList())).toList();
    }

    /** The host file behind a device path such as /data/local/tmp/x. */
    public Path onDevice(String devicePath) { return root.resolve(devicePath.replaceFirst("^/+", "")); }

    public String demap(String s) { return s.replace(root.toString(), ""); }

    /**
     * A recording fake executor_runner to push to the device: it records its start (see {@link #runs()}), refuses to start
     * like Android's linker when no LD_LIBRARY_PATH folder holds libc++_shared.so, then runs the FakeExecutorRunner
     * wrapper (installed beside it as .NAME.fake with env).
     */
    public static Path runner(Path dir, String name, Map<String, String> env) {
        Path fake = FakeExecutorRunner.install(dir, "." + name + ".fake", env);
        Path p = dir.resolve(name);
        write(p, """
                #!/usr/bin/env bash
                # A fake executor_runner for the fake device of test-cases/support/FakeAdb.java.
                if [ -n "${FAKE_ADB_HOME:-}" ]; then
                  n=$(printf '%05d' $(( $(ls "$FAKE_ADB_HOME/argv" | wc -l) + 1 )))
                  printf '%s\\0' "$PWD" "${LD_LIBRARY_PATH:-}" "$0" "$@" > "$FAKE_ADB_HOME/argv/$n"
                  found=""
                  IFS=: read -r -d '' -a dirs < <(printf '%s\\0' "${LD_LIBRARY_PATH:-}")
                  for d in "${dirs[@]}"; do [ -f "$d/libc++_shared.so" ] && found=1; done
                  if [ -z "$found" ]; then
                    echo "CANNOT LINK EXECUTABLE \\"$0\\": library \\"libc++_shared.so\\" not found: needed by main executable" >&2
                    exit 1
                  fi
                fi
                exec @FAKE@ "$@"
                """.replace("@FAKE@", Kit.shq(fake.toString())));
        executable(p);
        return p;
    }

    // ---------------------------------------------------------------- helpers

    private String remapExpression() {
        String to = root.toString().replace("\\", "\\\\").replace("&", "\\&").replace("#", "\\#");
        return "s#(^|[[:space:]'\"=:;(|&<>`])/(data|proc|sys|sdcard|storage)(/|$|[[:space:]'\"`;)|&<>])#\\1" + to + "/\\2\\3#g";
    }

    /** s as a literal basic regular expression for sed with # as delimiter. */
    private static String bre(String s) { return s.replaceAll("([\\\\.\\[\\]*^$#])", "\\\\$1"); }

    private List<List<String>> nulRecords(String dir) {
        try (Stream<Path> s = Files.list(home.resolve(dir))) {
            List<List<String>> out = new ArrayList<>();
            for (Path p : s.filter(x -> x.getFileName().toString().matches("\\d+")).sorted().toList()) {
                String text = Files.readString(p, StandardCharsets.UTF_8);
                if (text.endsWith("\0")) text = text.substring(0, text.length() - 1);
                out.add(text.isEmpty() ? List.of() : Arrays.asList(text.split("\0", -1)));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private FakeAdb write(String rel, String text) {
        write(home.resolve(rel), text);
        return this;
    }

    private String read(String rel) {
        try {
            Path p = home.resolve(rel);
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void script(String rel, String text) {
        write(home.resolve(rel), text);
        executable(home.resolve(rel));
    }

    private static void write(Path p, String text) {
        try {
            Files.createDirectories(p.getParent());
            Files.writeString(p, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void mkdirs(Path p) {
        try {
            Files.createDirectories(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void executable(Path p) {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The device's tools (first on the device shell's PATH); they find the state folder in $FAKE_ADB_HOME. */
    private static final Map<String, String> TOOLS = Map.of(
            "getprop", """
                    P="$FAKE_ADB_HOME/props"
                    if [ $# -eq 0 ]; then cat "$P"; exit 0; fi
                    awk -v k="[$1]: [" 'index($0, k) == 1 { v = substr($0, length(k) + 1); sub(/]$/, "", v); print v; found = 1; exit }
                      END { if (!found) print "" }' "$P"
                    """,
            "settings", """
                    D="$FAKE_ADB_HOME/settings"
                    case "${1:-}" in
                      get) f="$D/${2:-}/${3:-}"; if [ -f "$f" ]; then cat "$f"; else echo null; fi;;
                      put) mkdir -p "$D/$2" && printf '%s\\n' "$4" > "$D/$2/$3";;
                      *) echo "usage: settings [--user USER_ID] get namespace key" >&2; exit 1;;
                    esac
                    """,
            "dumpsys", """
                    f="$FAKE_ADB_HOME/dumpsys/${1:-}"
                    if [ -f "$f" ]; then cat "$f"; else echo "Can't find service: ${1:-}"; fi
                    """,
            "taskset", """
                    cores=$(cat "$FAKE_ADB_HOME/cores")
                    mask=$(( ${1:-0} ))
                    if [ $(( mask & ((1 << cores) - 1) )) -eq 0 ]; then echo "taskset: sched_setaffinity: Invalid argument" >&2; exit 1; fi
                    shift
                    exec "$@"
                    """,
            "uname", """
                    if [ "${1:-}" = -m ]; then echo aarch64; else cat "$FAKE_ADB_HOME/uname"; fi
                    """,
            "logcat", """
                    BUF="$FAKE_ADB_HOME/logcat.buf"
                    touch "$BUF"
                    clear=0; silent=0; tags=()
                    while [ $# -gt 0 ]; do
                      case "$1" in
                        -c) clear=1;;
                        -s) silent=1;;
                        -v|-b|-t|-T|-e|-m|-G) shift;;
                        -*) ;;
                        *) tags+=("$1");;
                      esac
                      shift
                    done
                    if [ "$clear" = 1 ]; then : > "$BUF"; exit 0; fi
                    echo "--------- beginning of main"
                    if [ "$silent" = 0 ] && [ "${#tags[@]}" -eq 0 ]; then cat "$BUF"; exit 0; fi
                    awk -v want="${tags[*]}" 'BEGIN { n = split(want, w, " "); for (i = 1; i <= n; i++) { t = w[i]; sub(/:.*/, "", t); keep[t] = 1 } }
                      { tag = $6; sub(/:$/, "", tag); if (tag in keep) print }' "$BUF"
                    """);

    private static final String ADB = """
            #!/usr/bin/env bash
            # A fake adb for tests, written by test-cases/support/FakeAdb.java. State in $H; the device's / is $H/root.
            H=@HOME@
            ROOT="$H/root"
            REMAP=@REMAP@
            DEMAP=@DEMAP@
            export FAKE_ADB_HOME="$H"
            set -u
            N=$(printf '%05d' $(( $(ls "$H/calls" | wc -l) + 1 )))
            CALL="$H/calls/$N"
            printf '%s\\0' "$@" > "$CALL"

            die() { printf '%s\\n' "$1" >&2; exit "${2:-1}"; }

            after="$(cat "$H/disconnect-after" 2>/dev/null)"
            if [ -n "$after" ] && [ "$((10#$N))" -gt "$after" ]; then touch "$H/gone"; fi
            when="$(cat "$H/disconnect-when" 2>/dev/null)"
            if [ -n "$when" ] && grep -qaF -- "$when" "$CALL"; then touch "$H/gone"; fi

            online() { [ -e "$H/gone" ] || awk '$2 == "device" { print $1 }' "$H/devices"; }
            state_of() { [ -e "$H/gone" ] || awk -v s="$1" '$1 == s { print $2; exit }' "$H/devices"; }

            target() {
              if [ -n "$serial" ]; then
                case "$(state_of "$serial")" in
                  device) return 0;;
                  offline) die "error: device offline";;
                  unauthorized) die "error: device unauthorized.
            This adb server's \\$ADB_VENDOR_KEYS is not set
            Try 'adb kill-server' if that seems wrong.
            Otherwise check for a confirmation dialog on your device.";;
                  *) die "adb: device '$serial' not found";;
                esac
              fi
              local list count
              list=$(online)
              count=$(printf '%s' "$list" | grep -c .)
              [ "$count" -eq 0 ] && die "adb: no devices/emulators found"
              [ "$count" -gt 1 ] && die "adb: more than one device/emulator"
              serial="$list"
            }

            maybe_fail() {
              local f="$H/fail/$1" left mode match
              [ -f "$f" ] || return 0
              read -r left mode match < "$f" || true
              [ "${left:-0}" -gt 0 ] || return 0
              if [ -n "${match:-}" ] && ! grep -qaF -- "$match" "$CALL"; then return 0; fi
              printf '%s %s %s\\n' "$((left - 1))" "$mode" "${match:-}" > "$f"
              case "$mode" in
                offline) die "error: device offline";;
                closed) die "error: closed";;
                silent) exit 1;;
                *) die "error: $mode";;
              esac
            }

            devices_cmd() {
              echo "List of devices attached"
              if [ ! -e "$H/gone" ]; then
                while read -r s st attrs; do
                  [ -n "$s" ] || continue
                  if [ "${1:-}" = "-l" ]; then printf '%-22s %s %s\\n' "$s" "$st" "$attrs"; else printf '%s\\t%s\\n' "$s" "$st"; fi
                done < "$H/devices"
              fi
              echo
            }

            connect_cmd() {
              local hp="${1:-}"
              [ -n "$hp" ] || die "adb: usage: adb connect HOST[:PORT]"
              if ! grep -qxF -- "$hp" "$H/connectable" 2>/dev/null; then echo "failed to connect to '$hp': Connection refused"; exit 1; fi
              if [ -n "$(state_of "$hp")" ]; then echo "already connected to $hp"; return 0; fi
              echo "$hp device product:fake_remote model:Fake_Remote_Phone device:fake_remote transport_id:7" >> "$H/devices"
              echo "connected to $hp"
            }

            push_cmd() {
              local files=() a src to remote
              for a in "$@"; do case "$a" in --sync|-p|-a|-z|-Z|-n|--no-compress) ;; *) files+=("$a");; esac; done
              [ "${#files[@]}" -ge 2 ] || die "adb: push requires at least 2 arguments"
              remote="${files[-1]}"
              unset 'files[-1]'
              case "$remote" in
                /data/local/tmp|/data/local/tmp/*|/sdcard/*) ;;
                *) die "adb: error: failed to copy '${files[0]}' to '$remote': remote couldn't create file: Permission denied";;
              esac
              for src in "${files[@]}"; do
                [ -f "$src" ] || die "adb: error: cannot stat '$src': No such file or directory"
                to="$ROOT$remote"
                if [ -d "$to" ] || [ "${remote%/}" != "$remote" ]; then to="${to%/}/$(basename -- "$src")"; fi
                { mkdir -p -- "$(dirname -- "$to")" && cp -- "$src" "$to"; } || die "adb: error: failed to copy '$src' to '$remote'"
                echo "$src: 1 file pushed, 0 skipped. 120.5 MB/s ($(wc -c < "$src" | tr -d ' ') bytes in 0.001s)"
              done
            }

            pull_cmd() {
              local args=() a remote dest
              for a in "$@"; do case "$a" in -a|-z|-Z) ;; *) args+=("$a");; esac; done
              remote="${args[0]:-}"; dest="${args[1]:-.}"
              [ -f "$ROOT$remote" ] || die "adb: error: failed to stat remote object '$remote': No such file or directory"
              [ -d "$dest" ] && dest="${dest%/}/$(basename -- "$remote")"
              cp -- "$ROOT$remote" "$dest" || die "adb: error: cannot create '$dest'"
              echo "$remote: 1 file pulled, 0 skipped. 98.2 MB/s ($(wc -c < "$dest" | tr -d ' ') bytes in 0.001s)"
            }

            route() {
              awk -v ts="$(date +'%m-%d %H:%M:%S.%3N')" -v pid="$CHILD" -v pal="$(cat "$H/pal" 2>/dev/null)" -v buf="$H/logcat.buf" '
                function emit(level, tag, msg) { printf "%s %5d %5d %s %-8s: %s\\n", ts, pid, pid, level, tag, msg >> buf }
                /^(Note|Warning|Error|Debug) [(]XNNPACK[)]: / {
                  level = substr($0, 1, 1); if (level == "N") level = "I"
                  emit(level, "XNNPACK", substr($0, index($0, "): ") + 3)); next
                }
                pal ~ /android/ && /^[DIWEF] [0-9][0-9]:[0-9][0-9]:[0-9][0-9][.][0-9]+ executorch:[^ ]*[]]/ {
                  emit(substr($0, 1, 1), "ExecuTorch", substr($0, index($0, "] ") + 2)); next
                }
                { print }'
            }

            stop_device() {
              local p
              p=$(cat "$PIDF" 2>/dev/null)
              [ -n "$p" ] && kill -TERM -- "-$p" 2>/dev/null
              kill -TERM "$CHILD" 2>/dev/null
              wait "$CHILD" 2>/dev/null
            }

            finish() {
              trap - TERM INT HUP
              sed "$DEMAP" "$OUT"
              sed "$DEMAP" "$ERR" | route >&2
              rm -f "$OUT" "$ERR" "$PIDF"
              exit "$1"
            }

            shell_cmd() {
              [ $# -gt 0 ] || die "fake adb: an interactive shell is not supported"
              local cmd
              cmd=$(printf '%s' "$*" | sed -E "$REMAP")
              OUT="$H/tmp/out.$N"; ERR="$H/tmp/err.$N"; PIDF="$H/tmp/pid.$N"
              ( cd "$ROOT" && exec env PATH="$H/device-bin:$PATH" setsid sh -c 'echo $$ > "$0"; exec sh -c "$1"' "$PIDF" "$cmd" ) > "$OUT" 2> "$ERR" < /dev/null &
              CHILD=$!
              trap 'stop_device; finish 143' TERM INT HUP
              wait "$CHILD"
              finish $?
            }

            serial=""
            while [ $# -gt 0 ]; do
              case "$1" in
                -s) serial="${2:-}"; shift; [ $# -gt 0 ] && shift;;
                -d|-e|-a) shift;;
                -H|-P|-L|-t) shift; [ $# -gt 0 ] && shift;;
                *) break;;
              esac
            done
            [ -z "$serial" ] && serial="${ANDROID_SERIAL:-}"
            cmd="${1:-}"
            [ $# -gt 0 ] && shift

            case "$cmd" in
              version|--version) printf 'Android Debug Bridge version 1.0.41\\nVersion 35.0.2-fake\\nInstalled as %s\\n' "$0";;
              start-server|kill-server) ;;
              devices) maybe_fail devices; devices_cmd "$@";;
              connect) maybe_fail connect; connect_cmd "$@";;
              get-state) target; maybe_fail get-state; echo device;;
              push) target; maybe_fail push; push_cmd "$@";;
              pull) target; maybe_fail pull; pull_cmd "$@";;
              shell) target; maybe_fail shell; shell_cmd "$@";;
              logcat) target; maybe_fail logcat; exec "$H/device-bin/logcat" "$@";;
              *) die "adb: unknown command $cmd";;
            esac
            """;
}
