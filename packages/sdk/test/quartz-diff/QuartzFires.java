// Prints the next fire times of Quartz cron expressions as the real Quartz (Debian's
// libquartz2-java, 2.3.2) computes them: the peer of vecron's differential test
// (../quartz-differential.test.ts). Input on stdin, one case per line:
//   <expression> TAB <IANA zone> TAB <from, epoch ms> TAB <n>
// Output, one line per case: the fire times as epoch ms separated by spaces ("" when none), or
// "ERR <message>" when Quartz refuses the expression.
// Run: java -cp /usr/share/java/quartz2.jar QuartzFires.java < cases.tsv
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.TimeZone;
import org.quartz.CronExpression;

public class QuartzFires {
  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintWriter out = new PrintWriter(System.out, false, StandardCharsets.UTF_8);
    String line;
    while ((line = in.readLine()) != null) {
      if (line.isEmpty()) continue;
      String[] f = line.split("\t");
      try {
        CronExpression ce = new CronExpression(f[0]);
        ce.setTimeZone(TimeZone.getTimeZone(f[1]));
        Date d = new Date(Long.parseLong(f[2]));
        int n = Integer.parseInt(f[3]);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
          d = ce.getNextValidTimeAfter(d);
          if (d == null) break;
          if (i > 0) sb.append(' ');
          sb.append(d.getTime());
        }
        out.println(sb);
      } catch (Exception e) {
        out.println("ERR " + String.valueOf(e.getMessage()).replace('\n', ' '));
      }
    }
    out.flush();
  }
}
