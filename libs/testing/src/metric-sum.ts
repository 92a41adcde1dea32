/** The sum of a Prometheus text exposition's samples of `name` whose line contains every label (`outcome="success"`). */
export function sumOfSeries(metrics: string, name: string, ...labels: string[]): number {
  return metrics
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) && labels.every((label) => line.includes(label)))
    .reduce((total, line) => total + Number(line.split(' ').pop()), 0);
}
