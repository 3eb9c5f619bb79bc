package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.postgres.StoreConfig;
import io.tributary.settings.Setting;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The README's configuration tables list exactly the declared settings, with their defaults. */
class ConfigurationTableTest {
  private static final String SERVER_TABLE = "## Configuration";
  private static final String STORE_TABLE = "The library's `StoreConfig`";

  /** The cells of each table row after {@code heading}, up to the first line that is not a row. */
  private static List<List<String>> rowsAfter(String heading) throws IOException {
    var lines = Files.readAllLines(Path.of("../README.md"));
    int at = 0;
    while (!lines.get(at).startsWith(heading)) {
      at++;
    }
    while (!lines.get(at).startsWith("|")) {
      at++;
    }
    var rows = lines.subList(at + 2, lines.size()).stream().takeWhile(l -> l.startsWith("|")).toList();
    return rows.stream()
        .map(r -> Arrays.stream(r.substring(1).split("\\|", -1)).map(String::strip).toList())
        .toList();
  }

  private static String unquoted(String cell) {
    return cell.replace("`", "");
  }

  @Test
  void theServerTableListsEveryFlagWithItsVariableAndDefault() throws IOException {
    Map<String, List<String>> byFlag = new LinkedHashMap<>();
    List<String> envOnly = new java.util.ArrayList<>();
    for (var row : rowsAfter(SERVER_TABLE)) {
      if (row.get(1).isEmpty()) {
        continue; // a section row such as **Essentials**
      }
      if (row.get(0).isEmpty()) {
        envOnly.add(unquoted(row.get(1)));
      } else {
        byFlag.put(unquoted(row.get(0)), row);
      }
    }
    assertThat(byFlag.keySet())
        .containsExactlyInAnyOrderElementsOf(ServeFlags.ALL.stream().map(Flag::name).toList());
    assertThat(envOnly).containsExactlyInAnyOrderElementsOf(ServeFlags.ENV_ONLY);
    for (var flag : ServeFlags.ALL) {
      var row = byFlag.get(flag.name());
      assertThat(unquoted(row.get(1))).as(flag.name()).isEqualTo(flag.env());
      if (flag.defaultText() != null) {
        assertThat(row.get(2)).as(flag.name()).startsWith("`" + flag.defaultText() + "`");
      }
    }
  }

  @Test
  void theStoreTableListsEveryStoreKnob() throws IOException {
    var knobs =
        rowsAfter(STORE_TABLE).stream()
            .flatMap(row -> Arrays.stream(unquoted(row.get(0)).split(",")).map(String::strip))
            .collect(Collectors.toList());
    assertThat(knobs)
        .containsExactlyInAnyOrderElementsOf(StoreConfig.SETTINGS.stream().map(Setting::name).toList());
  }
}
