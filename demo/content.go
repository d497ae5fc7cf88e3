package demo

import (
	"time"

	"folio"
)

// The demo content below was written for Folio. People, ports and towns are
// invented; so are the figures.

// users returns the demo authors, keyed for articles().
func users() []demoUser {
	return []demoUser{
		{"maren", folio.User{
			Name:  "Maren Holt",
			Email: "maren.holt@example.com",
			Role:  folio.RoleEditor,
			Bio:   "Senior editor. Writes about transport, energy and the places where the two meet.",
		}},
		{"daniel", folio.User{
			Name:  "Daniel Okafor",
			Email: "daniel.okafor@example.com",
			Role:  folio.RoleAuthor,
			Bio:   "Data reporter. Turns port statistics and timetables into stories people can read.",
		}},
		{"lena", folio.User{
			Name:  "Lena Varga",
			Email: "lena.varga@example.com",
			Role:  folio.RoleAuthor,
			Bio:   "Covers local news and the media business from the valley towns.",
		}},
		{"desk", folio.User{
			Name:  "Editorial Desk",
			Email: "desk@example.com",
			Role:  folio.RoleEditor,
			Bio:   "Short news and notices from the editors.",
		}},
	}
}

// interviewee answers the three questions of the demo series.
var interviewee = folio.Interviewee{
	Name: "Ilse Marwood",
	Bio: "Transport economist. She has studied inland waterways and river ports for twenty years " +
		"and advises regional authorities on freight and energy planning.",
}

// seriesTitle names the demo interview series.
const seriesTitle = "Rivers and the grid: an interview with Ilse Marwood"

// articles returns the demo articles, oldest first, dated relative to now.
func articles(now time.Time) []demoArticle {
	series := func(pos int) *folio.SeriesRef {
		return &folio.SeriesRef{Slug: SeriesSlug, Title: seriesTitle, Position: pos}
	}
	interviewTags := []string{"Interviews", "Rivers", "Energy"}
	return []demoArticle{
		{[]string{"maren"}, folio.ArticleInput{
			Title:       "Why do rivers deserve as much attention as railways?",
			Slug:        "why-rivers-deserve-attention",
			Question:    part1Question,
			Body:        part1Answer,
			Summary:     "Ilse Marwood on why a river is the one piece of freight infrastructure nobody has to build, and why it matters more now than a decade ago.",
			Lang:        "en",
			Interviewee: interviewee,
			Status:      folio.StatusPublished,
			PublishedAt: ago(now, 23, 3),
			Tags:        interviewTags,
			Series:      series(1),
		}},
		{[]string{"daniel", "maren"}, folio.ArticleInput{
			Title:       "A quiet year at the port of Hallam hides a change in what it carries",
			Body:        hallamBody,
			Summary:     "Total tonnage barely moved, but gravel and grain are giving way to containers and scrap. The quarterly returns, line by line.",
			Lang:        "en",
			Status:      folio.StatusPublished,
			PublishedAt: ago(now, 20, 6),
			Tags:        []string{"Rivers", "Transport", "Data"},
		}},
		{[]string{"maren"}, folio.ArticleInput{
			Title:       "Beyond cargo, what could the power grid and the waterway do for each other",
			Slug:        LongSlug,
			Question:    part2Question,
			Body:        part2Answer,
			Summary:     "Battery containers on the quay, turbines at old weirs, and a shared forecast of river levels: Ilse Marwood on what the grid and the waterway could do together.",
			Lang:        "en",
			Interviewee: interviewee,
			Status:      folio.StatusPublished,
			PublishedAt: ago(now, 16, 2),
			Tags:        interviewTags,
			Series:      series(2),
		}},
		{[]string{"lena"}, folio.ArticleInput{
			Title:       "Valley weekly keeps its print edition as it moves the news online",
			Body:        weeklyBody,
			Summary:     "The Brennmoor Courier will publish every day on the web but keep printing on Thursdays, after readers asked it not to stop.",
			Lang:        "en",
			Status:      folio.StatusPublished,
			PublishedAt: ago(now, 13, 5),
			Tags:        []string{"Local news", "Media"},
		}},
		{[]string{"maren"}, folio.ArticleInput{
			Title:       "Reading an electricity bill: the lines that matter",
			Body:        billBody,
			Summary:     "Most household bills split into what you use, what it costs to deliver, and what you pay just to be connected. Only one of those is fully in your hands.",
			Lang:        "en",
			Status:      folio.StatusPublished,
			PublishedAt: ago(now, 10, 4),
			Tags:        []string{"Energy", "Explainers"},
		}},
		{[]string{"maren"}, folio.ArticleInput{
			Title:       "Where should a young port planner start?",
			Slug:        "where-should-a-port-planner-start",
			Question:    part3Question,
			Body:        part3Answer,
			Summary:     "Walk the river, learn the other side's numbers, start small: Ilse Marwood's advice to people entering the field.",
			Lang:        "en",
			Interviewee: interviewee,
			Status:      folio.StatusPublished,
			PublishedAt: ago(now, 8, 1),
			Tags:        interviewTags,
			Series:      series(3),
		}},
		{[]string{"lena"}, folio.ArticleInput{
			Title:       "Баржи возвращаются: что изменилось на малых реках",
			Body:        bargesRuBody,
			Summary:     "Грузовые перевозки по малым рекам снова растут. Разбираемся, почему судоходные компании и порты вспомнили о воде.",
			Lang:        "ru",
			Status:      folio.StatusPublished,
			PublishedAt: ago(now, 5, 7),
			Tags:        []string{"Rivers", "Transport", "На русском"},
		}},
		{[]string{"desk"}, folio.ArticleInput{
			Title:       "Night trains return to the valley line in spring",
			Body:        nightTrainBody,
			Summary:     "A sleeper service between the coast and the valley towns will run three nights a week from April, the operator said.",
			Lang:        "en",
			Status:      folio.StatusPublished,
			PublishedAt: ago(now, 2, 2),
			Tags:        []string{"Transport", "Local news"},
		}},
		{[]string{"lena"}, folio.ArticleInput{
			Title:       "دریا پھر سے کام آ رہے ہیں: چھوٹی بندرگاہوں کی واپسی",
			Slug:        UrduSlug,
			Body:        portsUrBody,
			Summary:     "وادی کی چھوٹی بندرگاہوں پر بجروں کی آمد و رفت بڑھ رہی ہے۔ ماہرین کہتے ہیں کہ سڑکوں کا بوجھ کم کرنے کا یہ سب سے سستا راستہ ہے۔",
			Lang:        "ur",
			Status:      folio.StatusPublished,
			PublishedAt: ago(now, 4, 5),
			Tags:        []string{"Rivers", "Transport"},
		}},
		{[]string{"daniel"}, folio.ArticleInput{
			Title:   "Lock closures this winter: what skippers need to know",
			Body:    lockDraftBody,
			Summary: "Draft: dates and diversions for the winter maintenance programme.",
			Lang:    "en",
			Status:  folio.StatusDraft,
			Tags:    []string{"Rivers", "Transport"},
		}},
		{[]string{"desk"}, folio.ArticleInput{
			Title:       "The week in review: rivers, rails and the grid",
			Body:        weekReviewBody,
			Summary:     "A look back at the interview series, the Hallam figures and the return of the night train.",
			Lang:        "en",
			Status:      folio.StatusScheduled,
			PublishedAt: ago(now, -3, 0),
			Tags:        []string{"Transport", "Energy"},
		}},
	}
}

const part1Question = `When people talk about taking freight off the roads, they almost always mean railways. Why do you argue that rivers deserve as much attention, and what has changed in the last decade to make that argument more pressing?`

const part1Answer = `Because a river is the one piece of transport infrastructure we did not have to build. The railway needed cuttings, bridges and a century of maintenance; the river was there first, and on most lowland routes it is still there, mostly idle. A push boat with a few barges can move what a long freight train moves, with a crew of five or six, and at a cost per tonne that neither road nor rail can match when the cargo is heavy and not in a hurry. Gravel, grain, scrap metal, fertiliser, containers of things nobody needs tomorrow: that is the natural freight of a river.

What has changed is partly price and partly congestion. Ten years ago the road was cheap enough that few shippers looked anywhere else. Since then drivers have become scarce, tolls have risen, and the motorways around the larger ports are full for much of the day. The railways, meanwhile, are short of paths. The same tracks carry more passenger trains every year, and freight gets whatever slots are left at night.

The river has spare capacity almost everywhere. On the stretch I know best, the locks could handle three times their current traffic without a single new gate. That is unusual in transport: it is rare to be offered capacity that is already built, already paid for and simply waiting to be used.

> [!pull] A river is the one piece of transport infrastructure we did not have to build.

There is also a quieter reason. Inland ports tend to sit in the middle of towns, because that is where the towns grew. They are close to the people and the factories that need the goods. A rail terminal is often a lorry ride away from anything; a quay can be a short walk from the mill it serves.

I should be careful not to oversell it. Rivers are slow, they freeze in some winters and run low in some summers, and not every town has one. But where the water goes where the freight needs to go, ignoring it is a choice --- and an expensive one.`

const part2Question = `You have said that a working river is more than a freight corridor. Beyond cargo, what could the power grid and the waterway do for each other over the next twenty years, and what stands in the way?`

const part2Answer = `When you asked me, in the first question of this interview, why rivers deserve as much attention as railways, I answered almost entirely in tonnes and kilometres. That was the honest answer for a freight economist, but it was also a narrow one. A river that carries barges is already a piece of energy infrastructure, whether or not anyone draws it that way on a map. It has locks that need power to move their gates, pumps that keep the channel at a working depth, ports full of cranes and refrigerated containers, and, in many valleys, weirs that were built to hold water for mills long before anyone thought about electricity. The grid and the waterway grew up side by side in most of the places I study, yet they are planned by different agencies, financed from different budgets and regulated by people who rarely sit in the same room. That separation is the first thing I would change, and most of what follows comes from it.

Start with the vessels themselves. A push boat on the upper river spends most of its day at a steady, predictable load --- it is not a delivery van stopping and starting in city traffic. That makes it a far better candidate for batteries than people assume. The objection I hear most often is "the batteries are too heavy", and on a lorry that is a real problem, because every kilogram of battery is a kilogram of cargo you cannot carry. On a barge the arithmetic is kinder. Displacement is generous, the hull does not much care about an extra container of cells, and the route is fixed, so you know exactly where the boat will be at every hour of the week. A skipper I interviewed last year put it better than I can: "My boat is the most boring customer an electrician could wish for." What you need is somewhere to swap or charge those cells, and that is where the grid comes in.

The idea that has gained most ground in the last few years is the swappable battery container: a standard twenty-foot box, full of cells, that a port crane lifts on and off like any other cargo. A boat arrives with a nearly empty box and leaves with a full one, while the empty box sits on the quay and recharges. I like the idea because it uses equipment the ports already own and skills their crews already have. But notice what it does to the quay. A port that keeps a dozen of those containers charging becomes, in effect, a small storage plant. It draws power when the grid has plenty and could, with the right connection, give some back when the grid is short. The port becomes a customer and a supplier at the same time, and our tariffs were not written for that. Most of them still assume that electricity flows one way, from the substation to the socket, and charge accordingly.

Then there are the locks and weirs. Many of them sit on a drop of two or three metres that has been "wasted", as engineers like to say, for a century. Small turbines at those sites will never rival a large dam, and I would be suspicious of anyone who promises otherwise. But they produce power close to where the port and the lock need it, they produce it at night as well as by day, and they sit on land the waterway authority already controls, so nobody has to buy a field or win over a planning committee. In the valley I know best, the lock keepers' cottages were once lit by a small dynamo on the weir. The dynamos were taken out in the sixties, because mains power had become cheap and reliable and nobody wanted to maintain them. Putting modern equivalents back is not nostalgia; it is using an asset that has been lying idle in plain sight.

There is a harder side to this, and I do not want to skip it. In a dry summer the river and the grid want the same water. Thermal power stations along the banks need it for cooling, irrigation pumps need it for the fields, and the barges need enough depth under their keels to carry a full load. When the level drops, a barge that normally carries two thousand tonnes may leave half-empty, and the freight that does not fit goes on to the roads -- exactly the opposite of what everyone says they want. I have sat in meetings where the shipping people and the power people argued over the same few centimetres of water as if they were rival tenants of one flat. A shared forecast of river levels, published a few weeks ahead and trusted by both sides, would settle a good deal of that argument before it starts.

Forecasting is less glamorous than turbines, but I think it matters more. Skippers already plan their loads from gauge readings[^1], and grid operators already plan their cooling from water temperatures. Put those two forecasts in one place and you begin to see trade-offs that were invisible before. A port could pre-charge its battery containers ahead of a low-water week, when it expects more trucks at the gate and fewer boats at the quay. A power station could move its maintenance into the weeks when the river is lowest and shipping needs every centimetre it can get. None of this requires new physics. It requires people to share data they already collect, on a schedule they can rely on, in a format the other side can read without a translator.

What stands in the way? Mostly the way we pay for things. A waterway authority is usually funded to keep a channel open, not to run an energy business, and its managers are judged on whether ships get through the locks on time. If a turbine at a lock earns money, that income often flows back to the treasury rather than to the maintenance budget that needs it. Grid companies, for their part, are rewarded for reliability and for the size of their asset base, so a hundred small connections along a river look like a hundred small headaches. I once asked a planner why a port two kilometres from a substation had waited six years for a stronger connection. He said, without any irony at all, "Because nobody asked for it in the right form." That sentence could stand as a summary of the whole problem.

It is also worth saying what this means for the towns, because that is the part of your question I find most interesting. Ports on small rivers used to be the busiest places in town: the warehouses, the pubs, the chandlers and the customs office all sat within a few streets of the quay. When the freight moved to the motorway, many of those towns kept their river and lost their reason to look at it. A port that charges boats, stores power and perhaps heats a nearby school with the warmth its batteries shed is a port with jobs again, and jobs of a kind that do not leave when a logistics company redraws its map. I don't want to overstate it --- we are talking about dozens of jobs per port, not thousands --- but for a town of eight thousand people, dozens is not a small number. It is the difference between a quay that people walk past and a quay that people work on.

So, over twenty years, I would hope for three things. First, that every lock and port is treated as a point on the grid as well as a point on the waterway, with a connection sized for what it could become rather than for what it is today. Second, that river-level and power forecasts are published together, openly, so that skippers, port managers and grid operators make their plans from the same numbers. Third, that the income from any energy a waterway produces stays with the waterway, to pay for the dredging and the lock repairs that keep freight on the water. None of these is a technical breakthrough. They are matters of habit and accounting, and habits are harder to change than turbines. But if we manage it, the answer I gave to the first question of this interview will look modest, because the case for rivers will no longer rest on freight alone.

[^1]: A gauge reading is the water level at a fixed measuring point, usually a painted scale or a sensor on a bridge pier. Skippers convert it into the depth they can expect at the shallowest stretch of their route, and load accordingly.`

const part3Question = `Finally, if a young engineer or port planner asked you where to start, what would you tell them?`

const part3Answer = `Walk the river. I mean that literally. Spend a week on a barge if a skipper will have you, a day in a lock keeper's hut, and an afternoon on the quay when a delivery is late and everyone is cross. Most of the bad decisions I have seen in this field were made by people who knew the waterway from maps and spreadsheets and had never watched a boat wait two hours for a lock that was closed for a repair nobody had announced.

Second, learn to read the other side's numbers. If you are an engineer, sit with the finance people until you understand how a port is paid for. If you are a planner, learn enough about power systems to know what a substation can and cannot do. The ideas we discussed in the previous answer all sit between two professions, and they fail when nobody speaks both languages.

Third, be patient with small projects. A single charging point at a single lock, run well for three years, will persuade more people than a grand plan for the whole basin. Waterway authorities are conservative for good reasons: when they get something wrong, ships run aground or towns flood. Earn their trust with something modest and reliable, and then ask for the next thing.

And finally, write things down in plain language. Half of my career has been spent translating between skippers, engineers, accountants and councillors. The people who can explain a lock upgrade to a town meeting in ten minutes, without slides, are the ones whose projects get built.`

const hallamBody = `The port of Hallam handled almost exactly as much cargo last year as the year before. Read only the total and you would call it a quiet year. Read the lines underneath and a different picture appears: the bulk cargoes the port was built for are shrinking, and boxes are taking their place.

| Cargo           | Two years ago (kt) | Last year (kt) |  Change |
|-----------------|-------------------:|---------------:|--------:|
| Gravel and sand |                412 |            371 |    −10% |
| Grain           |                298 |            264 |    −11% |
| Scrap metal     |                 96 |            131 |    +36% |
| Containers      |                 74 |            119 |    +61% |
| Other           |                 52 |             49 |     −6% |
| **Total**       |            **932** |        **934** |  **0%** |

Two things explain most of the shift. A building materials company moved its gravel to a new quarry upstream of the lock at Sellin, so part of that traffic now loads above Hallam and never reaches it. And the container terminal, opened three years ago with a single mobile crane, added a second crane last spring and began a weekly service to the coast.

Grain is harder to read. The harvest was smaller, but the port's share of it also fell, as two farm co-operatives sent more by road during the weeks of low water in August.

The change matters for the port's finances. A tonne of gravel needs a conveyor and a patch of quay; a container needs a crane, a yard, a customs check and a truck at the gate. Handling fees are higher, and so are costs. The harbour board's plan for next year assumes container traffic keeps growing at the same pace, which would make boxes one of the port's two largest cargoes within two years.

*Hallam is an invented port, and these figures were made up for Folio's demonstration content.*`

const weeklyBody = `The Brennmoor Courier, which has been printed every Thursday for more than ninety years, will publish news on its website every day from next month. It will not stop printing.

The decision reverses a plan announced in the summer to end the paper edition once the website was running. More than four hundred readers wrote to the paper or signed a letter at the town library, many of them asking for the printed edition to stay, and the owners agreed to keep it for at least two years.

> We thought the question was print or web. Our readers told us the question was how to do both without running out of people. The Thursday paper is where they read the long pieces; the website is where they find out why the road is closed.

![The card shown when a Courier story is shared: the paper’s name, the headline, the author and the date on a plain page](/valley-weekly-keeps-its-print-edition-as-it-moves-the-news-online/share.png "Online, every story now travels with a card like this one. =1200x630")

That was Ada Brenner, the Courier's editor, speaking at a meeting in the town hall on Tuesday evening. The paper has five journalists and will hire one more, a web editor, to keep the site up to date during the week.

The printed edition will become slightly thinner and will carry more long-form reporting and fewer short notices, which will move online. Subscribers to the paper will get the website free; others can read a limited number of articles a month.

Council members welcomed the plan. The Courier is the only newspaper that still covers council meetings in full, and several councillors said the planning notices it prints are often the only way residents learn about building applications near their homes.`

const billBody = `Most people read one number on their electricity bill: the total. It is worth reading three more, because they explain why the total moves, and only one of them is fully in your hands.

## What you use

The energy charge is the part that follows your meter: the number of kilowatt-hours you used, multiplied by a price per kilowatt-hour. This is the line you control directly. Turning down the heating, running the washing machine on a cooler setting or replacing an old fridge all show up here, usually within a month.

If your tariff has different prices at different times of day, this line may be split in two or more. It is worth checking which hours are cheap before moving your habits around them.

## What it costs to deliver

The network charge pays for the wires, poles, cables and substations between the power station and your home. It is often included in the price per kilowatt-hour, so it rises and falls with your use, but it is set by a regulator rather than by your supplier. Switching supplier rarely changes it.

## What you pay just to be connected

The standing charge is a fixed amount per day, whether you use any electricity or not. It covers the cost of keeping your connection, your meter and your account. For a small flat that uses little power, the standing charge can be a surprisingly large share of the bill.

## What you can change

You can change how much you use, and you can change supplier or tariff, which moves the energy price and sometimes the standing charge. You cannot change the network charge, except by using less. When a bill rises sharply, the first question is which of the three lines moved; the answer tells you whether to look at your habits, your tariff or the news.`

const bargesRuBody = `Ещё десять лет назад грузовое судоходство на малых реках казалось делом прошлого. Причалы зарастали, склады у воды переделывали под магазины, а щебень и зерно возили грузовиками. Сегодня картина меняется: в нескольких речных портах впервые за долгое время выросли объёмы перевалки.

Причин несколько. Во-первых, дорожные перевозки подорожали: водителей не хватает, а платных участков трасс становится всё больше. Во-вторых, железная дорога загружена пассажирскими поездами, и грузовым составам достаются в основном ночные окна. Река же почти везде работает вполсилы — шлюзы способны пропустить в несколько раз больше судов, чем проходит через них сейчас.

Есть и ограничения. Навигация сезонная, а в засушливое лето глубины падают, и баржи уходят недогруженными. Поэтому портам приходится планировать работу с оглядкой на прогноз уровня воды.

## Что дальше

Собеседники редакции называют три условия роста: регулярное дноуглубление, современные причалы с кранами для контейнеров и понятные тарифы. «Реке не нужны новые мосты и тоннели, — говорит капитан одного из буксиров. — Ей нужно только, чтобы о ней не забывали».

О том, как речной транспорт связан с энергетикой, читайте в нашем интервью с экономистом Ильзе Марвуд.`

const nightTrainBody = `A sleeper train between the coast and the valley towns will run three nights a week from April, the operator announced on Monday, eleven years after the last night service on the line was withdrawn.

The train will leave the coast shortly before ten in the evening and reach the upper valley a little after six the next morning, with stops at four towns on the way. It will carry couchettes, a small number of private compartments and one carriage of ordinary seats.

The operator said the service would run for a trial period of two years. Tickets go on sale next month.`

const lockDraftBody = `To check with the waterway authority before publishing:

- closure dates for the two locks above Hallam;
- whether the diversion via the old canal is open to boats over 80 metres;
- the number to call for urgent passages.

Draft notes; not for publication yet.`

const weekReviewBody = `This week we finished our interview with Ilse Marwood, looked at what the port of Hallam really carried last year, and reported on the return of the night train to the valley line.

If you read only one of these, make it the second part of the interview, on what the power grid and the waterway could do for each other.`

// portsUrBody is a short news story in Urdu, so the demo shows a
// right-to-left article with its own interface language.
const portsUrBody = `پچھلے دو برسوں میں وادی کی چھوٹی بندرگاہوں پر بجروں کی آمد و رفت میں واضح اضافہ ہوا ہے۔ بجری، اناج اور کباڑ اب پہلے کی طرح صرف ٹرکوں پر نہیں جاتے؛ ان کا ایک حصہ پھر سے دریا کے راستے سفر کرتا ہے۔

## یہ تبدیلی کیوں آئی؟

ٹرک ڈرائیوروں کی کمی، بڑھتے ہوئے ٹول اور شاہراہوں پر رش نے تاجروں کو دوسرے راستے تلاش کرنے پر مجبور کیا۔ دریا پہلے سے موجود ہے، اس کے لاک اپنی گنجائش سے کہیں کم استعمال ہوتے ہیں، اور ایک بجرا کئی ٹرکوں کا بوجھ اٹھا لیتا ہے۔

> [!pull] دریا وہ سڑک ہے جسے کسی کو بنانا نہیں پڑا۔

## آگے کیا ہوگا؟

بندرگاہوں کے منتظمین کا کہنا ہے کہ اگلا قدم بجلی ہے: بیٹری والے کنٹینر، جو کنارے پر چارج ہوں اور کشتیوں پر لادے جائیں۔ اگر یہ منصوبہ کامیاب رہا تو چھوٹے شہروں کی بندرگاہیں ایک بار پھر روزگار کا مرکز بن سکتی ہیں۔`
