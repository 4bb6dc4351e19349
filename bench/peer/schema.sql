-- The peer's database: corpcare's two benchmark databases (crm, billing) copied side by side
-- into schemas crm and billing of one database, plus what PostGraphile needs to answer the
-- benchmark shapes with the same leaves and values as corpcare: the keys from billing to the
-- CRM's lines (corpcare's two backends hold ids only), and a few SQL functions for values
-- corpcare computes (money with its decimals, enum names, a line's month of usage, spending
-- per unit). Applied by `python -m bench --peer` after the copy; nothing here changes a row.

create schema peer_private;

-- Every currency of the demo (EUR, CHF) has two decimals.
create type billing.money as (amount numeric, currency text);
create function peer_private.money(minor numeric, currency text) returns billing.money
  language sql immutable as $$ select row(round(minor / 100, 2), currency)::billing.money $$;
create function peer_private.unit_of(kind text) returns text
  language sql immutable as $$
    select case kind when 'voice' then 'SECONDS' when 'sms' then 'MESSAGES' else 'KILOBYTES' end $$;

alter table billing.line_products add foreign key (subscriber_id) references crm.subscribers (id);
alter table billing.line_services add foreign key (subscriber_id) references crm.subscribers (id);
alter table billing.usage_records add foreign key (subscriber_id) references crm.subscribers (id);
alter table billing.bundle_balances add foreign key (subscriber_id) references crm.subscribers (id);

-- Lines

create function crm.subscribers_status_code(s crm.subscribers) returns text
  language sql stable as $$ select upper(s.status) $$;

-- Their services in corpcare's order (by the service's name).
create function crm.subscribers_services(s crm.subscribers) returns setof billing.line_services
  language sql stable as $$
    select ls.* from billing.line_services ls join billing.services sv on sv.id = ls.service_id
    where ls.subscriber_id = s.id order by sv.name $$;

-- The bundle balances of a month, in corpcare's order.
create function crm.subscribers_bundles(s crm.subscribers, period date) returns setof billing.bundle_balances
  language sql stable as $$
    select bb.* from billing.bundle_balances bb join billing.bundles b on b.id = bb.bundle_id
    where bb.subscriber_id = s.id and bb.period = subscribers_bundles.period order by b.kind, bb.bundle_id $$;

-- Usage records started in [since, until), newest first.
create function crm.subscribers_usage(s crm.subscribers, since timestamptz, until timestamptz)
  returns setof billing.usage_records
  language sql stable as $$
    select u.* from billing.usage_records u
    where u.subscriber_id = s.id and u.started_at >= since and u.started_at < until
    order by u.started_at desc, u.id desc $$;

-- The lines of a unit's subtree, by name as corpcare orders them.
create function crm.unit_lines(unit integer) returns setof crm.subscribers
  language sql stable as $$
    select s.* from crm.org_units u
    join crm.subscribers s on s.customer_id = u.customer_id and s.org_path like u.path || '%'
    where u.id = unit order by s.employee_name, s.id $$;

-- Products

create function billing.tariff_plans_monthly_fee(p billing.tariff_plans) returns billing.money
  language sql stable as $$ select peer_private.money(p.monthly_fee_minor, p.currency) $$;
create function billing.line_services_fee(ls billing.line_services) returns billing.money
  language sql stable as $$
    select peer_private.money(ls.monthly_fee_minor, sv.currency) from billing.services sv where sv.id = ls.service_id $$;
create function billing.bundles_kind_code(b billing.bundles) returns text
  language sql stable as $$ select upper(b.kind) $$;
create function billing.bundles_unit_code(b billing.bundles) returns text
  language sql stable as $$ select peer_private.unit_of(b.kind) $$;
-- Counts as Int (the columns are bigint, which PostGraphile serves as strings).
create function billing.bundle_balances_allowance_count(bb billing.bundle_balances) returns integer
  language sql stable as $$ select bb.allowance::integer $$;
create function billing.bundle_balances_used_count(bb billing.bundle_balances) returns integer
  language sql stable as $$ select bb.used::integer $$;
create function billing.bundle_balances_remaining(bb billing.bundle_balances) returns integer
  language sql stable as $$ select greatest(bb.allowance - bb.used, 0)::integer $$;
create function billing.usage_records_started(u billing.usage_records) returns text
  language sql stable as $$
    select to_char(u.started_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"') $$;
create function billing.usage_records_kind_code(u billing.usage_records) returns text
  language sql stable as $$ select upper(u.kind) $$;
create function billing.usage_records_unit_code(u billing.usage_records) returns text
  language sql stable as $$ select peer_private.unit_of(u.kind) $$;
create function billing.usage_records_quantity_count(u billing.usage_records) returns integer
  language sql stable as $$ select u.quantity::integer $$;
create function billing.usage_records_amount(u billing.usage_records) returns billing.money
  language sql stable as $$ select peer_private.money(u.amount_minor, u.currency) $$;

-- Spending per unit for a month, in one pass: each charge counts for the unit its line sat in
-- on the charge's day (corpcare's AS_BILLED), summed over every unit below the company's root,
-- in the order of the units' paths.
create type crm.unit_spending as (
  id integer, name text, total billing.money, company_share billing.money, employee_share billing.money,
  line_count integer
);
create function crm.unit_spending(customer integer, month date) returns setof crm.unit_spending
  language sql stable as $$
    with root as (
      select path from crm.org_units where customer_id = customer and parent_id is null
    ), per_line as (
      select m.org_path, c.subscriber_id, c.currency,
             sum(c.amount_minor) as total, sum(c.employee_share_minor) as employee
      from billing.daily_charges c
      join crm.line_memberships m on m.subscriber_id = c.subscriber_id
       and m.valid_from <= c.day and (m.valid_to is null or c.day < m.valid_to)
      where c.customer_id = customer and c.period = month
      group by 1, 2, 3
    )
    select u.id, u.name::text,
           peer_private.money(sum(p.total), p.currency),
           peer_private.money(sum(p.total - p.employee), p.currency),
           peer_private.money(sum(p.employee), p.currency),
           count(distinct p.subscriber_id)::integer
    from crm.org_units u
    join root on u.path like root.path || '%' and u.path <> root.path
    join per_line p on p.org_path like u.path || '%'
    where u.customer_id = customer
    group by u.id, u.name, u.path, p.currency
    order by u.path $$;
