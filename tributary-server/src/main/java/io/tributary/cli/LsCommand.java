package io.tributary.cli;

import io.tributary.client.ExecutionState;
import io.tributary.client.ExecutionSummary;
import io.tributary.client.ListingPage;
import io.tributary.client.StreamListing;
import io.tributary.client.TributaryClient;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** {@code tributary ls}: executions newest first, or named streams by path. */
@Command(
    name = "ls",
    mixinStandardHelpOptions = true,
    description = {
      "List executions (newest first) or named streams.",
      "One page of --limit by default; --all pages through everything. Human output is a table;",
      "--output json prints one object per line, as the server's discovery routes answer.",
      "Needs the admin token when auth is on.",
      "Exit: 0; 1 refused (bad filter); 4 token refused; 5 server unreachable."
    })
final class LsCommand extends ClientCommand {
  /** Rows per page when --limit is not given. */
  static final int DEFAULT_LIMIT = 50;

  private static final JsonMapper JSON = JsonMapper.shared();

  @Option(names = "--state", defaultValue = "all",
      description = "open, closed or all: the state of each execution's current attempt (default ${DEFAULT-VALUE}).")
  String state;

  @Option(names = "--close-reason", paramLabel = "REASON",
      description = "Only executions whose current attempt closed for this reason, e.g. attempt_failure.")
  String closeReason;

  @Option(names = "--limit", defaultValue = "" + DEFAULT_LIMIT,
      description = "Rows per page, 1..500 (default ${DEFAULT-VALUE}).")
  int limit;

  @Option(names = "--all", description = "Page through every row, not just the first page.")
  boolean all;

  @Option(names = "--streams", description = "List named (Durable Streams) streams instead of executions.")
  boolean streams;

  @Option(names = "--prefix", paramLabel = "P",
      description = "With --streams: only paths starting with P, e.g. /v1/stream/chat/ (or chat/).")
  String prefix;

  @Override
  int run(TributaryClient client) {
    if (limit < 1 || limit > 500) {
      throw new IllegalArgumentException("--limit must be 1..500, got " + limit);
    }
    var out = spec.commandLine().getOut();
    if (streams) {
      if (closeReason != null || !state.equals("all")) {
        throw new IllegalArgumentException("--state and --close-reason list executions; leave them out with --streams");
      }
      listStreams(client, out);
    } else {
      if (prefix != null) {
        throw new IllegalArgumentException("--prefix needs --streams");
      }
      listExecutions(client, out, executionState());
    }
    out.flush();
    return ExitCodes.OK;
  }

  private ExecutionState executionState() {
    return switch (state) {
      case "all" -> ExecutionState.ALL;
      case "open" -> ExecutionState.OPEN;
      case "closed" -> ExecutionState.CLOSED;
      default -> throw new IllegalArgumentException("--state must be open, closed or all, got '" + state + "'");
    };
  }

  private void listExecutions(TributaryClient client, PrintWriter out, ExecutionState executionState) {
    long now = System.currentTimeMillis();
    list(
        out,
        List.of("EXECUTION", "STATE", "ATTEMPT", "FRAMES", "BYTES", "REASON", "AGE"),
        after -> client.executions(executionState, closeReason, limit, after),
        LsCommand::json,
        e -> List.of(e.executionId(), e.state(),
            e.currentAttemptIndex() == null ? "-" : e.currentAttemptIndex() + "/" + e.attemptCount(),
            Long.toString(e.frameCount()), ProgressBar.size(e.totalBytes()),
            e.closeReason() == null ? "-" : e.closeReason(), age(now - e.createdAtMs())));
  }

  private void listStreams(TributaryClient client, PrintWriter out) {
    String full = prefix == null || prefix.startsWith("/") ? prefix : "/v1/stream/" + prefix;
    long now = System.currentTimeMillis();
    list(
        out,
        List.of("PATH", "STATE", "FRAMES", "BYTES", "CONTENT-TYPE", "AGE"),
        after -> client.streams(full, limit, after),
        LsCommand::json,
        s -> List.of(s.path(), s.closed() ? "closed" : "open", Long.toString(s.frameCount()),
            ProgressBar.size(s.totalBytes()), String.valueOf(s.contentType()), age(now - s.createdAtMs())));
  }

  /**
   * Prints the listed items page by page ({@code page} of the previous page's cursor, null first):
   * a JSON line each, or a table of {@code row}s under {@code header}. Without {@code --all} it
   * stops after the first page and says there is more.
   */
  private <T> void list(
      PrintWriter out,
      List<String> header,
      Function<String, ListingPage<T>> page,
      Function<T, ObjectNode> json,
      Function<T, List<String>> row) {
    var table = new Table(header);
    String after = null;
    do {
      var listed = page.apply(after);
      for (var item : listed.items()) {
        if (options.output == ClientOptions.Output.json) {
          out.println(JSON.writeValueAsString(json.apply(item)));
        } else {
          table.add(row.apply(item));
        }
      }
      after = listed.next();
      if (after != null && !all) {
        hintMore();
        break;
      }
    } while (after != null);
    table.print(out);
  }

  private void hintMore() {
    err().println("tributary ls: more than " + limit + " rows; --all lists every one");
    err().flush();
  }

  private static ObjectNode json(ExecutionSummary e) {
    return JSON.createObjectNode()
        .put("execution_id", e.executionId()).put("created_at_ms", e.createdAtMs()).put("state", e.state())
        .put("attempt_count", e.attemptCount()).put("current_attempt_index", e.currentAttemptIndex())
        .put("close_reason", e.closeReason()).put("closed_at_ms", e.closedAtMs())
        .put("frame_count", e.frameCount()).put("total_bytes", e.totalBytes())
        .put("summary_version", e.summaryVersion()).put("last_append_at_ms", e.lastAppendAtMs());
  }

  private static ObjectNode json(StreamListing s) {
    return JSON.createObjectNode()
        .put("path", s.path()).put("content_type", s.contentType()).put("created_at_ms", s.createdAtMs())
        .put("closed", s.closed()).put("frame_count", s.frameCount()).put("total_bytes", s.totalBytes())
        .put("expires_at_ms", s.expiresAtMs());
  }

  /** A human age: 42s, 5m, 3h, 2d. */
  static String age(long ms) {
    long s = Math.max(0, ms) / 1000;
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return s / 60 + "m";
    }
    if (s < 86_400) {
      return s / 3600 + "h";
    }
    return s / 86_400 + "d";
  }

  /** Columns padded to their widest cell; nothing at all when there are no rows. */
  private static final class Table {
    private final List<List<String>> rows = new ArrayList<>();

    Table(List<String> header) {
      rows.add(header);
    }

    void add(List<String> row) {
      rows.add(row);
    }

    void print(PrintWriter out) {
      if (rows.size() == 1) {
        return;
      }
      int[] width = new int[rows.getFirst().size()];
      for (var row : rows) {
        for (int i = 0; i < row.size(); i++) {
          width[i] = Math.max(width[i], row.get(i).length());
        }
      }
      for (var row : rows) {
        var line = new StringBuilder();
        for (int i = 0; i < row.size(); i++) {
          line.append(i == row.size() - 1 ? row.get(i) : String.format("%-" + width[i] + "s  ", row.get(i)));
        }
        out.println(line.toString().stripTrailing());
      }
    }
  }
}
