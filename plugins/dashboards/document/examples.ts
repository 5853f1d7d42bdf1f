/**
 * A complete example document that uses every feature of the format (variables of all six
 * types, SQL and visual queries, every chart type, tabs). Used by the tests and docs/dashboards.md;
 * also a reasonable template to show people. Browser-safe.
 */
export const FULL_EXAMPLE_YAML = `title: Revenue overview
description: |
  Weekly revenue by region.
  **Numbers are in EUR.**
tags: [finance, weekly]
source: warehouse
variables:
  - name: region
    type: select
    label: Region
    default: EMEA
    options: [EMEA, AMER, APAC]
  - name: regions
    type: multiselect
    label: Regions
    default: [EMEA, APAC]
    options: { query: region_list }
  - name: period
    type: daterange
    label: Period
    default: { start: "2026-01-01", end: "2026-03-31" }
  - name: recent
    type: daterange
    default: last_30_days
  - name: search
    type: text
    label: Product contains
    default: ""
    placeholder: e.g. lamp
  - name: min_amount
    type: number
    label: Minimum amount
    default: 0
    min: 0
    max: 100000
    step: 10
  - name: include_refunds
    type: checkbox
    label: Include refunds
    default: false
queries:
  region_list:
    sql: select distinct region as value, region as label from orders order by 1
  revenue_by_week:
    description: Revenue per week and region in the period.
    sql: |
      select date_trunc('week', ordered_at) as week, region, sum(amount) as revenue, count(*) as orders
      from orders
      where region = any({{regions}})
        and ordered_at between {{period.start}} and {{period.end}}
        and amount >= {{min_amount}}
        and ({{include_refunds}} or not refunded)
      group by 1, 2
      order by 1
  totals:
    sql: |
      select sum(amount) filter (where ordered_at >= {{recent.start}}) as revenue,
             sum(amount) filter (where ordered_at < {{recent.start}}) as previous
      from orders
      where region = {{region}}
  top_products:
    visual:
      table: order_items
      dimensions:
        - { column: product_name, as: product }
        - { column: ordered_at, truncate: month, as: month }
      measures:
        - { fn: sum, column: amount, as: revenue }
        - { fn: count }
        - { fn: count_distinct, column: order_id, as: orders }
      filters:
        - { column: region, op: eq, value: "{{region}}" }
        - { column: product_name, op: contains, value: "{{search}}" }
        - { column: ordered_at, op: between, value: "{{period}}" }
        - { column: status, op: in, value: [paid, shipped] }
      sort:
        - { by: revenue, dir: desc }
      limit: 10
charts:
  - id: weekly
    title: Weekly revenue
    type: line
    query: revenue_by_week
    x: week
    y: revenue
    color: region
    sort: { by: x, dir: asc }
    format: { x: "%b %d", y: "$,.0f" }
  - id: weekly-stack
    title: Revenue and orders
    type: area
    query: revenue_by_week
    x: week
    y: [revenue, orders]
  - id: products
    title: Top products
    type: bar
    query: top_products
    x: product
    y: revenue
    sort: { by: y, dir: desc }
    format: { y: "~s" }
    horizontal: true
  - id: spread
    title: Orders vs revenue
    type: scatter
    query: revenue_by_week
    x: orders
    y: revenue
    color: region
  - id: share
    title: Share by region
    type: pie
    query: revenue_by_week
    x: region
    y: revenue
    donut: true
  - id: total
    title: Revenue (30 days)
    type: kpi
    query: totals
    value: revenue
    compare: previous
    format: { value: "$,.0f" }
  - id: detail
    title: Detail
    type: table
    query: top_products
    columns: [product, month, revenue]
    format: { revenue: "$,.2f" }
  - id: notes
    type: text
    markdown: |
      ## Notes
      Revenue excludes VAT.
  - id: order-sizes
    title: Order sizes
    type: histogram
    query: revenue_by_week
    x: revenue
    bins: 12
  - id: heat
    title: Revenue by week and region
    type: heatmap
    query: revenue_by_week
    x: week
    y: region
    color: revenue
    format: { color: "$,.0f" }
  - id: regions
    title: Regions at a glance
    type: spark_bar
    query: revenue_by_week
    x: region
    y: revenue
    sort: { by: y, dir: desc }
  - id: combo
    title: Revenue with orders
    type: bar
    query: revenue_by_week
    x: week
    y: revenue
    layers:
      - { type: line, y: orders, label: Orders }
  - id: per-region
    title: Revenue per region
    type: line
    query: revenue_by_week
    x: week
    y: revenue
    multiples: { columns: region, scale: shared }
layout:
  tabs:
    - title: Overview
      rows:
        - [ { chart: total, width: 4 }, { chart: weekly, width: 8 } ]
        - [ { chart: products, width: 6 }, { chart: share, width: 6 } ]
    - title: Details
      grid:
        - { chart: detail, x: 0, y: 0, w: 8, h: 6 }
        - { chart: notes, x: 8, y: 0, w: 4, h: 3 }
        - { chart: spread, x: 8, y: 3, w: 4, h: 3 }
        - { chart: weekly-stack, x: 0, y: 6, w: 12, h: 4 }
        - { chart: order-sizes, x: 0, y: 10, w: 4, h: 4 }
        - { chart: heat, x: 4, y: 10, w: 4, h: 4 }
        - { chart: regions, x: 8, y: 10, w: 4, h: 4 }
        - { chart: combo, x: 0, y: 14, w: 6, h: 4 }
        - { chart: per-region, x: 6, y: 14, w: 6, h: 4 }
`;
